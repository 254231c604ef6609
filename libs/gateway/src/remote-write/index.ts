export {
  RemoteWriteForwarder,
  WRITTEN_HEADERS,
  writtenHeaders,
  type RemoteWriteHttpHeaders,
} from './remote-write.forwarder';
export { RemoteWriteController, THANOS_TENANT_HEADER } from './remote-write.controller';
export { acceptRawProtobufBodies, RAW_BODY_TYPES } from './raw-body';
