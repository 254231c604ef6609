import { type FastifyReply } from 'fastify';
import { etagOf } from '../http/validate';
import { type Versioned } from './tenant-admin.service';

/** Sets the ETag of a versioned result and returns its view. */
export function withEtag<T>(reply: FastifyReply, result: Versioned<T>): T {
  void reply.header('etag', etagOf(result.version));
  return result.view;
}
