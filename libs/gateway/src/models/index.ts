export { ModelsController } from './models.controller';
export { ModelStore, MODEL_STORE, type ModelStoreOptions } from './model-store';
export { acceptModelBlobBodies } from './models-body';
export { modelUsageGauge } from './model-usage';
export { modelStoreFor } from './model-store.provider';
