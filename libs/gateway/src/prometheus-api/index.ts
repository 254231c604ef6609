export {
  PROM_TENANT_RESOLVER,
  PrometheusApiController,
  type PromTenantResolver,
} from './prometheus-api.controller';
export { PrometheusApi, BUILD_INFO, type AdmittedTenant, type ApiAnswer } from './prometheus-api';
export { ApiParams, parseTime, parseDurationNs, rangeParams } from './params';
export { admissionResolver, limitsOf, type AdmissionResolverOptions } from './admission-resolver';
export { prometheusApiProviders } from './gateway-wiring';
export { CardinalityApiController } from './cardinality-api.controller';
export { CardinalityApi, type MimirAnswer } from './cardinality-api';
