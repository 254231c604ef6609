export { CompactorModule } from './compactor.module';
export { compactorService } from './compactor.definition';
