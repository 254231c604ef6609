export { startWebhookSink, type WebhookSink, type SinkRequest } from './webhook-sink';
export { startVendorServer, type VendorRequest, type VendorServer } from './vendor-server';
export {
  startSmtpCapture,
  type CapturedMail,
  type MimeEntity,
  type SmtpCapture,
} from './smtp-capture';
