export { StoreModule } from './store.module';
export { storeService } from './store.definition';
