import { type FastifyInstance } from 'fastify';
import { BLOCK_TAR_TYPE } from './block-tar';

/**
 * Lets a block tar through Fastify unread: the route gets the request stream as its body and
 * enforces its own size limit, so a block far above STRATA_MAX_BODY_BYTES never sits in memory.
 */
export function acceptBlockTarBodies(fastify: FastifyInstance): void {
  fastify.addContentTypeParser(BLOCK_TAR_TYPE, (_request, payload, done) => done(null, payload));
}
