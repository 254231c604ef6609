import { type FastifyInstance } from 'fastify';

/** Media types whose bodies reach handlers as raw bytes: remote write's protobuf. */
export const RAW_BODY_TYPES = ['application/x-protobuf', 'application/octet-stream'];

/** Lets protobuf bodies through as Buffers (up to the gateway's body limit), for remote write. */
export function acceptRawProtobufBodies(fastify: FastifyInstance): void {
  fastify.addContentTypeParser(RAW_BODY_TYPES, { parseAs: 'buffer' }, (_request, body, done) =>
    done(null, body),
  );
}
