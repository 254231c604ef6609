import { BusClient, type Bus } from '@strata/bus';
import { type RouterWriteMeta, type RouterWriteResponse, Subjects } from '@strata/contracts';

/** Headers Prometheus reads back to learn what a 2.0 receiver stored. */
export const WRITTEN_HEADERS = {
  samples: 'X-Prometheus-Remote-Write-Samples-Written',
  histograms: 'X-Prometheus-Remote-Write-Histograms-Written',
  exemplars: 'X-Prometheus-Remote-Write-Exemplars-Written',
} as const;

/** The HTTP headers of a remote write that travel to the router. */
export interface RemoteWriteHttpHeaders {
  contentType: string | undefined;
  contentEncoding: string | undefined;
  protocolVersion: string | undefined;
}

/**
 * Forwards a remote write body, untouched and as bytes (`Subjects.routerWriteBinary`), to the router: decoding and limits
 * happen there, so the edge stays cheap and every router enforces the same rules.
 */
export class RemoteWriteForwarder {
  private readonly client: BusClient;

  constructor(
    bus: Bus,
    private readonly timeoutMs = 30_000,
  ) {
    this.client = new BusClient(bus);
  }

  /** Sends the write and returns what was stored; throws the router's StrataError. */
  forward(
    tenantId: string,
    headers: RemoteWriteHttpHeaders,
    body: Buffer,
  ): Promise<RouterWriteResponse> {
    const meta: RouterWriteMeta = {
      tenantId,
      contentType: headers.contentType ?? null,
      contentEncoding: headers.contentEncoding ?? null,
      protocolVersion: headers.protocolVersion ?? null,
    };
    // The body travels as bytes: no base64, no JSON around it.
    return this.client.askBinary(Subjects.routerWriteBinary, body, meta, {
      timeoutMs: this.timeoutMs,
    });
  }
}

/** The `X-Prometheus-Remote-Write-*-Written` headers of a successful write. */
export function writtenHeaders(response: RouterWriteResponse): Record<string, string> {
  return {
    [WRITTEN_HEADERS.samples]: String(response.samples),
    [WRITTEN_HEADERS.histograms]: String(response.histograms),
    [WRITTEN_HEADERS.exemplars]: String(response.exemplars),
  };
}
