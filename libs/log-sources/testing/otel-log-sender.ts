// A process that logs through the official OpenTelemetry JS SDK and its OTLP/HTTP exporter, as an
// instrumented application would. It runs outside jest because the exporter loads `http` with a
// dynamic import, which jest's module sandbox refuses. Env: OTLP_URL, OTLP_KEY, OTLP_ENCODING
// (json|protobuf), LINES; each line is `<prefix> <i>` with LINE_PREFIX. Exits 0 once flushed.
import { OTLPLogExporter as JsonExporter } from '@opentelemetry/exporter-logs-otlp-http';
import { OTLPLogExporter as ProtoExporter } from '@opentelemetry/exporter-logs-otlp-proto';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { BatchLogRecordProcessor, LoggerProvider } from '@opentelemetry/sdk-logs';

async function main(): Promise<void> {
  const env = process.env;
  const Exporter = env.OTLP_ENCODING === 'protobuf' ? ProtoExporter : JsonExporter;
  const provider = new LoggerProvider({
    resource: resourceFromAttributes({
      'service.name': 'checkout',
      'deployment.environment': 'prod',
    }),
    processors: [
      new BatchLogRecordProcessor({
        exporter: new Exporter({
          url: env.OTLP_URL,
          headers: { Authorization: `Bearer ${env.OTLP_KEY}` },
        }),
        maxExportBatchSize: 128,
      }),
    ],
  });
  const logger = provider.getLogger('spec-scope', '1.2.3');
  const n = Number(env.LINES ?? '10');
  for (let i = 0; i < n; i++)
    logger.emit({
      body: `${env.LINE_PREFIX ?? 'otel record'} ${i}`,
      severityText: 'INFO',
      severityNumber: 9,
      attributes: { 'http.status': 200 + (i % 3), user: 'u1' },
    });
  await provider.forceFlush();
  await provider.shutdown();
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
