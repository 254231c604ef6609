export { IngesterModule } from './ingester.module';
export { ingesterService } from './ingester.definition';
