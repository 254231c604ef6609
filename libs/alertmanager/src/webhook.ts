import { type Alert } from './alert';
import { type WebhookConfig } from './config';
import { type NotifyContext, NotifyError } from './integrations';
import { type TemplateData, templateData } from './template-data';
import { postBody } from './http-post';

/** Alertmanager's webhook body, version 4. */
export interface WebhookMessage extends TemplateData {
  version: '4';
  groupKey: string;
  truncatedAlerts: number;
}

/** The body Alertmanager's webhook integration posts for these alerts (truncated to `max_alerts`). */
export function webhookMessage(
  config: WebhookConfig,
  alerts: readonly Alert[],
  ctx: NotifyContext,
): WebhookMessage {
  const kept = config.maxAlerts > 0 ? alerts.slice(0, config.maxAlerts) : alerts;
  return {
    ...templateData(ctx.receiver, ctx.groupLabels, kept, ctx.externalURL, ctx.now),
    version: '4',
    groupKey: ctx.groupKey,
    truncatedAlerts: alerts.length - kept.length,
  };
}

/** Posts the webhook body; 2xx is delivered, 5xx and network failures are retried, 4xx is not. */
export async function sendWebhook(
  config: WebhookConfig,
  alerts: readonly Alert[],
  ctx: NotifyContext,
): Promise<void> {
  const body = JSON.stringify(webhookMessage(config, alerts, ctx)) + '\n';
  let status: number;
  try {
    status = await postBody(
      config.url,
      body,
      {
        'Content-Type': 'application/json',
        'User-Agent': 'Strata-Alertmanager/0.25.0',
        ...(config.authorization === undefined ? {} : { Authorization: config.authorization }),
      },
      ctx.signal,
    );
  } catch (e) {
    throw new NotifyError(`webhook ${config.url}: ${(e as Error).message}`, true);
  }
  if (status < 200 || status >= 300)
    throw new NotifyError(
      `unexpected status code ${status}: ${config.url}`,
      status >= 500 || status === 429,
    );
}
