import { type INestApplication } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import { type FastifyInstance } from 'fastify';
import { type PlatformEnv } from '@strata/contracts';
import { acceptBlockTarBodies } from './blocks';
import { acceptModelBlobBodies } from './models';
import { serveConsole } from './console/console-static';
import { GatewayModule } from './gateway.module';
import { type GatewayConfig, type GatewayOptions, gatewayConfigFrom } from './gateway.options';
import { toErrorResponse } from './http/error-response';
import { sendError } from './http/error.filter';
import { requestIdFrom } from './http/request-state';
import { OpenApiDocument } from './openapi/docs.controller';
import { GatewayMetrics } from './ops/gateway-metrics';
import { acceptYamlBodies } from './rules/yaml-body';
import { acceptRawProtobufBodies } from './remote-write';
import { acceptEventBodies, DEFAULT_EVENTS_MAX_BODY_BYTES, limitEventBodies } from './events';
import { acceptLogBodies, DEFAULT_LOG_SOURCES } from './logs';

/** A running gateway. */
export interface RunningGateway {
  app: NestFastifyApplication;
  /** Base URL it listens on, e.g. `https://127.0.0.1:8443`. */
  url: string;
  close(): Promise<void>;
}

/** Inputs of `startGateway`: the platform env (or an already resolved gateway config) and the bus. */
export type StartGatewayOptions = Omit<GatewayOptions, 'config'> & {
  config: PlatformEnv | GatewayConfig;
};

/** Builds the gateway's Nest application on Fastify, not yet listening. */
export async function createGatewayApp(options: GatewayOptions): Promise<NestFastifyApplication> {
  const { config } = options;
  const adapter = new FastifyAdapter({
    bodyLimit: config.maxBodyBytes,
    trustProxy: options.trustProxy ?? false,
    genReqId: (req: { headers: Record<string, string | string[] | undefined> }) =>
      requestIdFrom(req.headers['x-request-id']),
    ...(config.tls ? { https: { cert: config.tls.cert, key: config.tls.key } } : {}),
  });
  const logger = options.logger ?? ['error', 'warn'];
  const app = await NestFactory.create<NestFastifyApplication>(
    GatewayModule.forRoot(options),
    adapter,
    {
      ...(logger === 'inherit' ? {} : { logger }),
      bufferLogs: false,
    },
  );
  // platform-fastify carries its own copy of fastify's types; the instance is the same at runtime.
  const fastify = app.getHttpAdapter().getInstance() as unknown as FastifyInstance;
  const metrics = app.get(GatewayMetrics);
  fastify.addHook('onRequest', async (request, reply) => {
    void reply.header('x-request-id', request.id);
  });
  fastify.addHook('onResponse', async (request, reply) => metrics.observe(request, reply));
  // The API speaks JSON; a text body is a client mistake, answered 415 rather than parsed as a string.
  fastify.removeContentTypeParser('text/plain');
  acceptRawProtobufBodies(fastify);
  acceptBlockTarBodies(fastify);
  acceptModelBlobBodies(fastify);
  acceptYamlBodies(fastify);
  limitEventBodies(fastify, config.eventsMaxBodyBytes ?? DEFAULT_EVENTS_MAX_BODY_BYTES);
  acceptLogBodies(fastify, (config.logs ?? DEFAULT_LOG_SOURCES).maxBodyBytes);
  serveConsole(fastify, options.consoleDir);
  // Nest turns Fastify's own errors (body too large, malformed JSON) into bare HTTP exceptions and
  // loses their codes, so every route answers those itself and passes anything else on.
  fastify.addHook('onRoute', (route) => {
    route.errorHandler ??= (error, _request, reply) => {
      if (!isFastifyError(error)) throw error;
      sendError(reply, toErrorResponse(error));
    };
  });
  app.get(OpenApiDocument).document = buildOpenApi(app);
  // Nest registers its JSON parser in init; the event routes' text bodies replace it afterwards.
  await app.init();
  acceptEventBodies(fastify);
  return app;
}

function isFastifyError(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' && code.startsWith('FST_ERR_');
}

/** Builds the app, listens on the configured host and port, and returns how to reach and stop it. */
export async function startGateway(options: StartGatewayOptions): Promise<RunningGateway> {
  const config =
    'adminToken' in options.config ? options.config : gatewayConfigFrom(options.config);
  const app = await createGatewayApp({ ...options, config });
  await app.listen({ port: config.port, host: config.host });
  const address = app.getHttpServer().address();
  const port = typeof address === 'object' && address !== null ? address.port : config.port;
  const host = config.host === '0.0.0.0' || config.host === '::' ? '127.0.0.1' : config.host;
  return {
    app,
    url: `${config.tls ? 'https' : 'http'}://${host}:${port}`,
    close: () => app.close(),
  };
}

function buildOpenApi(app: INestApplication): ReturnType<typeof SwaggerModule.createDocument> {
  const config = new DocumentBuilder()
    .setTitle('Strata gateway')
    .setDescription(
      'Admin API of Strata. Authenticate with `Authorization: Bearer <secret>` or HTTP Basic: ' +
        '`admin:<admin token>` for the platform admin, `<keyId>:<secret>` (or any user with the key secret as password) for an API key. ' +
        'Mutations accept `If-Match: "<version>"`; responses carry `ETag: "<version>"`.',
    )
    .setVersion('v1')
    .addBearerAuth({
      type: 'http',
      scheme: 'bearer',
      description: 'the platform admin token or an API key secret',
    })
    .addBasicAuth({
      type: 'http',
      scheme: 'basic',
      description: 'admin:<admin token>, or <keyId or any user>:<API key secret>',
    })
    .build();
  return SwaggerModule.createDocument(app, config);
}
