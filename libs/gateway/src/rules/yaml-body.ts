import { type FastifyInstance } from 'fastify';

/** Media types of rule group bodies (mimirtool and Grafana send `application/yaml`). */
export const YAML_BODY_TYPES = ['application/yaml', 'application/x-yaml', 'text/yaml'];

/** Lets YAML bodies through as text, for the ruler configuration API, which parses them itself. */
export function acceptYamlBodies(fastify: FastifyInstance): void {
  fastify.addContentTypeParser(YAML_BODY_TYPES, { parseAs: 'string' }, (_request, body, done) =>
    done(null, body),
  );
}
