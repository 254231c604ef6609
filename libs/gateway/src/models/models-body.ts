import { type FastifyInstance } from 'fastify';
import { MODEL_BLOB_UPLOAD_TYPE } from '@strata/contracts';

/**
 * Lets blob bodies through Fastify unread: the route streams them to the bucket while hashing,
 * so a blob of many GB never sits in memory and STRATA_MAX_BODY_BYTES does not bound it.
 */
export function acceptModelBlobBodies(fastify: FastifyInstance): void {
  fastify.addContentTypeParser(MODEL_BLOB_UPLOAD_TYPE, (_request, payload, done) =>
    done(null, payload),
  );
}
