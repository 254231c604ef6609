export { LogflowModule } from './logflow.module';
export { logflowService } from './logflow.definition';
export { PipelineRegistry } from './pipelines/pipeline-registry';
export { encodeLokiPush, lokiLabelString, type LokiStream } from './sinks/loki-push';
export { bulkBody } from './sinks/elasticsearch.sink';
