export { QueryModule } from './query.module';
export { queryService } from './query.definition';
