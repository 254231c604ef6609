export { RouterModule } from './router.module';
export { routerService } from './router.definition';
