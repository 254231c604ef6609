export type {
  Bus,
  RequestOptions,
  RequestMeta,
  RequestHandler,
  StreamSpec,
  PublishAck,
  ConsumerSpec,
  ConsumedMessage,
  Stoppable,
  ReplyEnvelope,
} from './bus';
