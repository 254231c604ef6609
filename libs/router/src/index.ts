export { RouterModule } from './router.module';
export { routerService } from './router.definition';
export { TENANT_LABEL } from './write/relabel';
