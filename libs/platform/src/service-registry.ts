import { compactorService } from '@strata/compactor';
import { controlPlaneService } from '@strata/control-plane';
import { eventsService } from '@strata/events';
import { gatewayService } from '@strata/gateway';
import { ingesterService } from '@strata/ingester';
import { logflowService } from '@strata/logflow';
import { modelRegistryService } from '@strata/model-registry';
import { notificationService } from '@strata/notification';
import { queryService } from '@strata/query';
import { routerService } from '@strata/router';
import { rulerService } from '@strata/ruler';
import { storeService } from '@strata/store';
import { type ServiceRegistry } from '@strata/service-kit';

/**
 * The edge and the control plane. Their libraries plug in here by exporting a definition, e.g.
 * `export const gatewayService = defineService('gateway', GatewayModule)` from `@strata/gateway`,
 * and adding `gateway: gatewayService` (and `'control-plane': controlPlaneService`) to this map.
 */
export const EDGE_AND_CONTROL_SERVICES: ServiceRegistry = {
  gateway: gatewayService,
  'control-plane': controlPlaneService,
};

/** Every service the all-in-one process can run, by name: the map `--target` selects from. */
export const SERVICE_REGISTRY: ServiceRegistry = {
  ...EDGE_AND_CONTROL_SERVICES,
  router: routerService,
  ingester: ingesterService,
  compactor: compactorService,
  store: storeService,
  query: queryService,
  ruler: rulerService,
  logflow: logflowService,
  notification: notificationService,
  events: eventsService,
  'model-registry': modelRegistryService,
};
