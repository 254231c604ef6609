import { type FastifyInstance } from 'fastify';
import { keepPostedAlertsText } from '../alertmanager/posted-alerts-text';

/** Routes that take Kubernetes event and audit bodies: kube-apiserver's webhook and kube-events' exporter. */
export const EVENT_INGEST_PATHS = [
  '/api/v1/audit/webhook/event',
  '/audit/webhook/event',
  '/api/v1/events',
] as const;

/** The largest event or audit body by default (a 400-event audit batch at RequestResponse level fits). */
export const DEFAULT_EVENTS_MAX_BODY_BYTES = 8 * 1024 * 1024;

/** Media types of newline-delimited JSON, which kube-events' exporter and its imitators send. */
const NDJSON_TYPES = ['application/x-ndjson', 'application/jsonl', 'application/json-seq'];

/** Gives the event routes their own body limit; call before the routes are registered (before `init`). */
export function limitEventBodies(fastify: FastifyInstance, maxBodyBytes: number): void {
  const paths = new Set<string>(EVENT_INGEST_PATHS);
  fastify.addHook('onRoute', (route) => {
    if (paths.has(route.url)) route.bodyLimit = maxBodyBytes;
  });
}

/**
 * Lets the event routes read their bodies as text: kube-events' exporter posts newline-delimited
 * JSON as `application/json`, and the edge parsers must name the bad line, so the JSON parser
 * (one document per body) stays in place for every other route only. Call after Nest's `init`,
 * which registers that parser.
 */
export function acceptEventBodies(fastify: FastifyInstance): void {
  const paths = new Set<string>(EVENT_INGEST_PATHS);
  const { onProtoPoisoning, onConstructorPoisoning } = fastify.initialConfig;
  const json = fastify.getDefaultJsonParser(
    onProtoPoisoning ?? 'error',
    onConstructorPoisoning ?? 'error',
  );
  fastify.removeContentTypeParser('application/json');
  // No parser-level bodyLimit: each route's own applies (the event routes' is larger).
  fastify.addContentTypeParser('application/json', { parseAs: 'string' }, (request, body, done) => {
    if (paths.has(request.routeOptions.url ?? '')) return done(null, body);
    keepPostedAlertsText(request, body as string);
    void json(request, body as string, done);
  });
  fastify.addContentTypeParser(NDJSON_TYPES, { parseAs: 'string' }, (request, body, done) => {
    if (paths.has(request.routeOptions.url ?? '')) return done(null, body);
    done(
      Object.assign(new Error(`Unsupported Media Type: ${request.headers['content-type']}`), {
        statusCode: 415,
        code: 'FST_ERR_CTP_INVALID_MEDIA_TYPE',
      }),
      undefined,
    );
  });
}
