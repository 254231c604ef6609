export {
  RemoteWriteForwarder,
  WRITTEN_HEADERS,
  writtenHeaders,
  type RemoteWriteHttpHeaders,
} from './remote-write.forwarder';
export {
  registerRemoteWriteRoutes,
  errorReply,
  REMOTE_WRITE_PATHS,
  THANOS_TENANT_HEADER,
  type WriteAdmission,
  type RemoteWriteRoutesOptions,
} from './remote-write.routes';
