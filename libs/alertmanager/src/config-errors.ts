/** One reason a configuration is refused, at a dotted path into the YAML (`route.routes[0].receiver`). */
export interface ConfigProblem {
  readonly path: string;
  readonly reason: string;
}

/** An Alertmanager configuration was refused; `problems` names every path and reason found. */
export class InvalidAlertmanagerConfigError extends Error {
  readonly code = 'invalid_alertmanager_config' as const;
  constructor(readonly problems: readonly ConfigProblem[]) {
    super(problems.map((p) => (p.path ? `${p.path}: ${p.reason}` : p.reason)).join('; '));
    this.name = 'InvalidAlertmanagerConfigError';
  }
}
