export { recordPrometheusRenderings, type RecordedRenderings } from './record-prometheus';
export { TEMPLATE_CASES } from './template-cases';
