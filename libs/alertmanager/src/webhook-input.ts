import { type PostableAlert } from './alert';

/** Go's zero time, which Alertmanager writes as the end of a firing alert. */
const GO_ZERO_TIME = /^0001-01-01T00:00:00/;

/** Why an Alertmanager webhook payload was refused: a path into the payload and a reason. */
export interface WebhookInputProblem {
  readonly path: string;
  readonly message: string;
}

function labelMap(v: unknown): v is Record<string, string> {
  return (
    typeof v === 'object' &&
    v !== null &&
    !Array.isArray(v) &&
    Object.values(v).every((x) => typeof x === 'string')
  );
}

/**
 * The alerts of an Alertmanager webhook notification (payload version 4), as API v2 takes them: an
 * external Alertmanager forwarding to Strata (notification-manager's mode). A firing alert's zero
 * `endsAt` becomes "unset", so Strata's `resolve_timeout` applies; a resolved alert keeps its end.
 */
export function alertsOfWebhook(
  payload: unknown,
): { alerts: PostableAlert[] } | { problems: WebhookInputProblem[] } {
  const problems: WebhookInputProblem[] = [];
  const p = (payload ?? {}) as Record<string, unknown>;
  if (typeof payload !== 'object' || payload === null || Array.isArray(payload))
    return { problems: [{ path: '(root)', message: 'must be a JSON object' }] };
  if (p.version !== '4')
    problems.push({ path: 'version', message: 'only version "4" of the webhook payload is read' });
  if (!Array.isArray(p.alerts)) {
    problems.push({ path: 'alerts', message: 'must be a list' });
    return { problems };
  }
  const alerts = p.alerts.flatMap((raw: unknown, i): PostableAlert[] => {
    const a = (raw ?? {}) as Record<string, unknown>;
    const at = (field: string) => `alerts.${i}.${field}`;
    if (!labelMap(a.labels)) {
      problems.push({ path: at('labels'), message: 'must map names to strings' });
      return [];
    }
    if (a.annotations !== undefined && !labelMap(a.annotations))
      problems.push({ path: at('annotations'), message: 'must map names to strings' });
    if (a.status !== 'firing' && a.status !== 'resolved')
      problems.push({ path: at('status'), message: 'must be "firing" or "resolved"' });
    for (const f of ['startsAt', 'endsAt', 'generatorURL'] as const)
      if (a[f] !== undefined && typeof a[f] !== 'string')
        problems.push({ path: at(f), message: 'must be a string' });
    const endsAt = typeof a.endsAt === 'string' && !GO_ZERO_TIME.test(a.endsAt) ? a.endsAt : '';
    if (a.status === 'resolved' && endsAt === '')
      problems.push({ path: at('endsAt'), message: 'a resolved alert needs its end' });
    return [
      {
        labels: a.labels,
        ...(labelMap(a.annotations) ? { annotations: a.annotations } : {}),
        ...(typeof a.startsAt === 'string' ? { startsAt: a.startsAt } : {}),
        ...(a.status === 'resolved' ? { endsAt } : {}),
        ...(typeof a.generatorURL === 'string' ? { generatorURL: a.generatorURL } : {}),
      },
    ];
  });
  return problems.length > 0 ? { problems } : { alerts };
}
