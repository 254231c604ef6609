export { LogflowModule } from './logflow.module';
export { logflowService } from './logflow.definition';
