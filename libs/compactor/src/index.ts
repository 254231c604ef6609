export { CompactorModule } from './compactor.module';
export { compactorService } from './compactor.definition';
export {
  runTenantCycle,
  type TenantCycleResult,
  type TenantCycleSettings,
} from './cycle/tenant-cycle';
export { planCompaction, type CompactionPlan } from './planner/plan-compaction';
