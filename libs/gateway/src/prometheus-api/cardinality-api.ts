import { BusClient, type Bus } from '@strata/bus';
import { PROM_ERROR_STATUS, QuerySubjects, StrataError, type RequestOf } from '@strata/contracts';
import {
  CardinalityParamError,
  cardinalityLimitParam,
  countMethodParam,
  labelNamesParam,
  selectorParam,
} from './cardinality-params';
import { type ApiParams } from './params';
import { type AdmittedTenant } from './prometheus-api';

/** A Mimir API answer: the JSON body on success, Mimir's plain-text error line otherwise. */
export interface MimirAnswer {
  statusCode: number;
  contentType: string;
  body: string;
}

const REPLY_TIMEOUT_MS = 60_000;

/**
 * Mimir's cardinality API (`/api/v1/cardinality/label_names`, `label_values`) over the query
 * service, with Mimir's parameter checks and messages; answers cover the admitted tenant only.
 */
export class CardinalityApi {
  private readonly client: BusClient;

  constructor(bus: Bus) {
    this.client = new BusClient(bus);
  }

  /** `/api/v1/cardinality/label_names`. */
  labelNames(tenant: AdmittedTenant, p: ApiParams): Promise<MimirAnswer> {
    return this.answer(() => {
      const selector = selectorParam(p);
      const limit = cardinalityLimitParam(p);
      countMethodParam(p);
      return this.ask(QuerySubjects.cardinalityLabelNames, {
        tenantId: tenant.tenantId,
        selector,
        limit,
      });
    });
  }

  /** `/api/v1/cardinality/label_values`. */
  labelValues(tenant: AdmittedTenant, p: ApiParams): Promise<MimirAnswer> {
    return this.answer(() => {
      const labelNames = labelNamesParam(p);
      const selector = selectorParam(p);
      const limit = cardinalityLimitParam(p);
      countMethodParam(p);
      return this.ask(QuerySubjects.cardinalityLabelValues, {
        tenantId: tenant.tenantId,
        labelNames,
        selector,
        limit,
      });
    });
  }

  private async ask<
    S extends
      typeof QuerySubjects.cardinalityLabelNames | typeof QuerySubjects.cardinalityLabelValues,
  >(subject: S, payload: RequestOf<S>): Promise<MimirAnswer> {
    const reply = await this.client.ask(subject, payload, {
      timeoutMs: REPLY_TIMEOUT_MS,
    });
    if (reply.status === 'success')
      return { statusCode: 200, contentType: 'application/json', body: JSON.stringify(reply.data) };
    return textError(PROM_ERROR_STATUS[reply.errorType], reply.error);
  }

  private async answer(run: () => Promise<MimirAnswer>): Promise<MimirAnswer> {
    try {
      return await run();
    } catch (error) {
      if (error instanceof CardinalityParamError) return textError(400, error.message);
      if (
        error instanceof StrataError &&
        (error.code === 'timeout' || error.code === 'unavailable')
      )
        return textError(503, error.message);
      throw error;
    }
  }
}

// Go's http.Error: the message and a newline, as plain text.
function textError(statusCode: number, message: string): MimirAnswer {
  return { statusCode, contentType: 'text/plain; charset=utf-8', body: `${message}\n` };
}
