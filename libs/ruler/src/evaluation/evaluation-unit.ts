import { type RuleGroupSpec, type RuleGroupTarget } from '@strata/contracts';
import { type RuleGroup } from '@strata/rules';

/**
 * One group as one tenant evaluates it: a namespace or cluster group once, a global group once
 * per tenant. `key` is what replicas shard on.
 */
export interface EvaluationUnit {
  key: string;
  tenantId: string;
  target: RuleGroupTarget;
  /** The namespace (`_cluster`, `_global`), Prometheus' rule file: with the name it places the evaluations. */
  file: string;
  spec: RuleGroupSpec;
  group: RuleGroup;
}
