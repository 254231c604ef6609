import { type SinkSpec } from '@strata/contracts';
import { ElasticsearchSink } from './elasticsearch.sink';
import { type LogSink } from './log-sink';
import { LokiSink } from './loki.sink';
import { S3Sink } from './s3.sink';
import { BlackholeSink, FileSink, HttpSink } from './simple-sinks';

/** Where file sinks write: each tenant below its own directory of this root. */
export interface SinkEnvironment {
  fileRoot: string;
}

/** The sink a spec describes. */
export function createSink(spec: SinkSpec, env: SinkEnvironment): LogSink {
  switch (spec.type) {
    case 'blackhole':
      return new BlackholeSink();
    case 'file':
      return new FileSink(env.fileRoot, spec.path, spec.encoding ?? 'ndjson');
    case 'http':
      return new HttpSink(spec.url, spec.encoding ?? 'ndjson', spec.headers ?? {});
    case 'loki':
      return new LokiSink(spec);
    case 'elasticsearch':
      return new ElasticsearchSink(spec);
    case 's3':
      return new S3Sink(spec);
  }
}
