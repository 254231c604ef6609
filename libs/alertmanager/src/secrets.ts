import { SECRET_MASK } from '@strata/contracts';
import { type Document, isMap, isPair, isScalar, parseDocument, type Scalar, visit } from 'yaml';

/** Fields of Alertmanager's configuration that hold credentials (its `Secret` type prints `<secret>`). */
const SECRET_KEYS = new Set([
  'auth_password',
  'auth_secret',
  'smtp_auth_password',
  'smtp_auth_secret',
  'api_secret',
  'wechat_api_secret',
  'api_key',
  'opsgenie_api_key',
  'victorops_api_key',
  'token',
  'user_key',
  'bot_token',
  'routing_key',
  'service_key',
  'password',
  'credentials',
  'slack_api_url',
  'webhook_url',
  // DingTalk's and Feishu's signing secrets.
  'secret',
  // notification-manager's Configs and Receivers (a string or a `{value}` credential).
  'authPassword',
  'slackTokenSecret',
  'pushoverTokenSecret',
  'wechatApiSecret',
  'bearerToken',
  'userKey',
  // A chatbot's or Discord's webhook URL carries its access token.
  'webhook',
]);

/** Calls `at` with the value node of each credential (Alertmanager's `Secret` fields and notification-manager's). */
function eachSecret(doc: Document, visitValue: (value: Scalar) => void): void {
  // `basic_auth.password` is also a `password` key: each value once.
  const seen = new Set<Scalar>();
  const at = (value: Scalar) => {
    if (seen.has(value)) return;
    seen.add(value);
    visitValue(value);
  };
  visit(doc, {
    Pair(_, pair, path) {
      const key = isScalar(pair.key) ? String(pair.key.value) : '';
      // Slack's `api_url` is a secret URL; Telegram's and WeCom's are plain URLs Alertmanager
      // shows, and amtool refuses `<secret>` where it expects one.
      const secret =
        SECRET_KEYS.has(key) ||
        (key === 'api_url' &&
          path.some((n) => isPair(n) && isScalar(n.key) && n.key.value === 'slack_configs'));
      if (secret && isScalar(pair.value)) at(pair.value);
      // notification-manager's credential form, `{value: ...}`; a webhook channel's mapping has no
      // `value`, so it stays as written.
      if (secret && isMap(pair.value))
        for (const p of pair.value.items)
          if (isScalar(p.key) && p.key.value === 'value' && isScalar(p.value)) at(p.value);
      if (isScalar(pair.key) && String(pair.key.value) === 'basic_auth' && isMap(pair.value))
        for (const p of pair.value.items)
          if (isScalar(p.key) && p.key.value === 'password' && isScalar(p.value)) at(p.value);
    },
  });
}

/** The YAML with every credential replaced by `SECRET_MASK`, as Alertmanager shows its configuration. */
export function maskSecrets(yamlText: string): string {
  const doc = parseDocument(yamlText);
  eachSecret(doc, (value) => (value.value = SECRET_MASK));
  return doc.toString();
}

/**
 * The YAML with each credential written as a string replaced by what `fn` makes of it: how
 * credentials are sealed before they are stored and opened before they are used. A document with
 * nothing to change comes back as written.
 */
export function mapSecrets(yamlText: string, fn: (value: string) => string): string {
  const doc = parseDocument(yamlText);
  let changed = false;
  eachSecret(doc, (node) => {
    if (typeof node.value !== 'string') return;
    const next = fn(node.value);
    if (next === node.value) return;
    node.value = next;
    changed = true;
  });
  return changed ? doc.toString() : yamlText;
}
