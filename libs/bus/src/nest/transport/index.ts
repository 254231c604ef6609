export { BusTransport, type BusRoutes } from './bus-transport.strategy';
export { BusContext } from './bus-context';
export { BusExceptionFilter } from './bus-exception.filter';
export { BusMeta } from './bus-meta.decorator';
export { ValidatePayload } from './validate-payload.pipe';
export { BusClient } from './bus-client';
export { BusClientProxy } from './bus-client.proxy';
export {
  type BusCodec,
  type EventRoute,
  type RequestRoute,
  eventRoute,
  requestRoute,
} from './bus-routes';
export {
  BUS_ROUTES,
  BusTransportModule,
  createBusMicroservice,
  serveOnBus,
  type BusMicroservice,
} from './bus-microservice';
