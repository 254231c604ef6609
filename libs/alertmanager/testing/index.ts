export { startWebhookSink, type WebhookSink, type SinkRequest } from './webhook-sink';
