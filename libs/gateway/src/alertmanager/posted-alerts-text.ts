/** The route of Alertmanager's `POST /api/v2/alerts` under the gateway's prefix. */
const POSTED_ALERTS_URL = '/alertmanager/api/v2/alerts';

/** Posted alert lists' JSON text, by request, while the request is handled. */
const texts = new WeakMap<object, string>();

interface ParsedRequest {
  readonly method: string;
  readonly routeOptions: { readonly url?: string };
}

/**
 * Keeps the JSON text of a `POST /api/v2/alerts` body beside its parsed value (called by the
 * gateway's JSON parser): the intake stores the checked text as it came instead of encoding the
 * parsed alerts again.
 */
export function keepPostedAlertsText(request: ParsedRequest, text: string): void {
  if (request.method === 'POST' && request.routeOptions.url === POSTED_ALERTS_URL)
    texts.set(request, text);
}

/** The JSON text the request's posted alerts were parsed from, if the parser kept it. */
export function postedAlertsText(request: object): string | undefined {
  return texts.get(request);
}
