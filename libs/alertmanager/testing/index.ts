export { startWebhookSink, type WebhookSink, type SinkRequest } from './webhook-sink';
export { startVendorServer, type VendorRequest, type VendorServer } from './vendor-server';
