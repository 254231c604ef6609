/** A rule's health as Prometheus' API reports it. */
export type RuleHealth = 'unknown' | 'ok' | 'err';

/** What `/api/v1/rules` shows of a rule's last evaluation. */
export interface RuleStatus {
  health: RuleHealth;
  lastError: string | null;
  /** Wall-clock start of the last evaluation (ms), null before the first. */
  lastEvaluation: number | null;
  evaluationTimeMs: number;
}

/** The status of a rule never evaluated. */
export function initialStatus(): RuleStatus {
  return { health: 'unknown', lastError: null, lastEvaluation: null, evaluationTimeMs: 0 };
}
