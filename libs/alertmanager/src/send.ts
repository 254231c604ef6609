import { type Alert } from './alert';
import { sendChat } from './chat';
import { type IntegrationConfig } from './config';
import { sendEmail } from './email';
import { type NotifyContext } from './integrations';
import { sendNmChannel } from './nm-channels';
import { sendWebhook } from './webhook';

/** Delivers through whichever integration `config` is. */
export function sendIntegration(
  config: IntegrationConfig,
  alerts: readonly Alert[],
  ctx: NotifyContext,
): Promise<void> {
  switch (config.kind) {
    case 'webhook':
      return sendWebhook(config, alerts, ctx);
    case 'email':
      return sendEmail(config, alerts, ctx);
    case 'slack':
    case 'discord':
    case 'telegram':
    case 'wechat':
    case 'pushover':
      return sendChat(config, alerts, ctx);
    case 'dingtalk':
    case 'feishu':
    case 'sms':
      return sendNmChannel(config, alerts, ctx);
  }
}
