export { ModelsController } from './models.controller';
export { ModelStore, MODEL_STORE, type ModelStoreOptions } from './model-store';
export { acceptModelBlobBodies } from './models-body';
export { modelUsageGauge } from './model-usage';

/** How long an unreferenced blob survives garbage collection unless the gateway config says otherwise. */
export const DEFAULT_MODEL_GC_GRACE_MS = 60 * 60 * 1000;
