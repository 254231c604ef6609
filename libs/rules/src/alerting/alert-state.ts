import { type Labels } from '@strata/promql';

/** The state of one alert instance, as Prometheus names it in `ALERTS{alertstate}` and its API. */
export type AlertState = 'inactive' | 'pending' | 'firing';

/** How long a resolved alert is kept (and resent) after it stopped firing: Prometheus' `resolvedRetention`. */
export const RESOLVED_RETENTION_MS = 15 * 60_000;

/**
 * One alert instance of an alerting rule. Times are ms since the epoch; `null` is Go's zero time
 * (never happened), which differs from the epoch itself, where unit tests evaluate.
 */
export interface Alert {
  labels: Labels;
  /** Expanded annotations; unlike labels, empty values are kept. */
  annotations: Readonly<Record<string, string>>;
  state: AlertState;
  value: number;
  activeAt: number;
  firedAt: number | null;
  resolvedAt: number | null;
  lastSentAt: number | null;
  validUntil: number | null;
  keepFiringSince: number | null;
}

/** Whether an alert goes to the notifier at `ts`: Prometheus' `Alert.needsSending`. */
export function needsSending(a: Alert, ts: number, resendDelayMs: number): boolean {
  if (a.state === 'pending') return false;
  // A resolution not yet sent is sent at once.
  if (a.resolvedAt !== null && (a.lastSentAt === null || a.resolvedAt > a.lastSentAt)) return true;
  return a.lastSentAt === null || a.lastSentAt + resendDelayMs < ts;
}
