import { type Alert } from './alert';
import { type IntegrationConfig } from './config';
import { type TemplateSet } from './template/render';

/** What an integration is handed for one notification. */
export interface NotifyContext {
  readonly tenantId: string;
  readonly receiver: string;
  readonly groupKey: string;
  readonly groupLabels: Readonly<Record<string, string>>;
  readonly externalURL: string;
  readonly now: number;
  readonly signal: AbortSignal;
  /** The tenant's templates (defaults and its template files). */
  readonly templates?: TemplateSet;
}

/** A delivery failed; `retry` says whether trying again may help (5xx, network) or not (4xx). */
export class NotifyError extends Error {
  constructor(
    message: string,
    readonly retry: boolean,
  ) {
    super(message);
  }
}

/** One channel's sender: delivers the alerts or throws {@link NotifyError}. */
export type Sender = (
  config: IntegrationConfig,
  alerts: readonly Alert[],
  ctx: NotifyContext,
) => Promise<void>;
