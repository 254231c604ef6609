import { defaultErrorFormatter, type MercuriusContext } from 'mercurius';
import { WWW_AUTHENTICATE } from '../auth/credentials';

type Execution = Parameters<typeof defaultErrorFormatter>[0];

/**
 * Mercurius' formatter, except that a document refused only for missing or bad credentials gets
 * HTTP 401 and the challenge, as REST does, so clients and proxies see an authentication failure.
 */
export function formatGraphqlErrors(
  execution: Execution,
  context: MercuriusContext,
): ReturnType<typeof defaultErrorFormatter> {
  const formatted = defaultErrorFormatter(execution, context);
  const onlyUnauthorized =
    !execution.data &&
    execution.errors.length > 0 &&
    execution.errors.every((e) => e.extensions?.code === 'unauthorized');
  if (!onlyUnauthorized) return formatted;
  void context.reply.header('www-authenticate', WWW_AUTHENTICATE);
  return { ...formatted, statusCode: 401 };
}
