export {
  testServices,
  testNatsLogin,
  uniqueName,
  freshDatabase,
  type TestServices,
  type FreshDatabase,
} from './test-services';
export { startAppProcess, type AppProcess } from './app-process';
export { putBlockDir, writeTestBlock, type TestSeries } from './block-fixtures';
export { auditCorpus, expectedAuditDecision, type KubeAuditEvent } from './kube-audit-corpus';
