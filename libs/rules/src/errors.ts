/** Machine-readable reasons the rules library refuses a rule file or an evaluation (templates: `@strata/gotemplate`). */
export type RulesErrorCode = 'invalid_rule_file' | 'rule_evaluation_failed';

/** Base class of every error the rules library raises, carrying a closed-union `code`. */
export abstract class RulesError extends Error {
  abstract readonly code: RulesErrorCode;
}

/** A rule file failed to parse or validate; `problems` holds every promtool-style message. */
export class InvalidRuleFileError extends RulesError {
  readonly code = 'invalid_rule_file' as const;
  constructor(readonly problems: readonly string[]) {
    super(problems.join('\n'));
    this.name = 'InvalidRuleFileError';
  }
}

/** A rule's query or its result could not be turned into samples or alerts. */
export class RuleEvaluationError extends RulesError {
  readonly code = 'rule_evaluation_failed' as const;
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'RuleEvaluationError';
  }
}
