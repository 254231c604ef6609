import { Agent, type Dispatcher } from 'undici';

/**
 * Connections kept open between notifications, as Go's HTTP client keeps them: a flush of many
 * groups to one receiver reuses a few sockets per origin instead of opening one per notification.
 */
const dispatcher = new Agent({ connections: 64, keepAliveTimeout: 30_000 });

/**
 * POSTs `body` and resolves with the status once the answer was read whole; network failures and
 * an aborted `signal` reject. undici's client (in the notification benchmark's profile, 1,000
 * webhooks took about half the CPU they took with `node:http`, and `fetch` was slower still),
 * driven through its dispatcher with a handler that keeps the status and drops the answer's bytes:
 * `request` makes a body stream, an async resource and a signal listener per request, which cost
 * about a quarter of a webhook's CPU and are of no use for an answer only its status matters of.
 */
export function postBody(
  url: string,
  body: string | Buffer,
  headers: Record<string, string>,
  signal: AbortSignal,
): Promise<number> {
  const target = new URL(url);
  if (target.protocol !== 'http:' && target.protocol !== 'https:')
    return Promise.reject(new Error(`unsupported protocol ${target.protocol}`));
  // Credentials in the URL go as basic auth, as Go's client (and Node's) sends them; undici
  // would drop them.
  if (target.username !== '' || target.password !== '') {
    const user = `${decodeURIComponent(target.username)}:${decodeURIComponent(target.password)}`;
    headers = { ...headers, Authorization: `Basic ${Buffer.from(user).toString('base64')}` };
  }
  if (signal.aborted) return Promise.reject(abortError(signal));
  return new Promise<number>((resolve, reject) => {
    let status = 0;
    let abort: ((error: Error) => void) | null = null;
    const onAbort = (): void => abort?.(abortError(signal));
    signal.addEventListener('abort', onAbort, { once: true });
    const handler: Dispatcher.DispatchHandler = {
      onConnect(a) {
        abort = a;
        if (signal.aborted) a(abortError(signal));
      },
      onHeaders(statusCode) {
        status = statusCode;
        return true;
      },
      onData: () => true,
      onComplete() {
        signal.removeEventListener('abort', onAbort);
        resolve(status);
      },
      onError(error) {
        signal.removeEventListener('abort', onAbort);
        reject(error);
      },
    };
    dispatcher.dispatch(
      {
        origin: target.origin,
        path: target.pathname + target.search,
        method: 'POST',
        headers,
        body,
      },
      handler,
    );
  });
}

function abortError(signal: AbortSignal): Error {
  return signal.reason instanceof Error ? signal.reason : new Error('the request was aborted');
}
