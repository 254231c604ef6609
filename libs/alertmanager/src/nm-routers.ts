import { compilePromRegex } from '@strata/prom-regex';
import { type Checker, join } from './config-checker';
import { SELECTOR_FIELDS, selectorMatchers, selects } from './nm-selectors';

/** A notification-manager Receiver as routers and silences see it. */
export interface NmReceiver {
  readonly name: string;
  readonly labels: Readonly<Record<string, string>>;
  /** Its channel (`email` is the one built). */
  readonly type: string;
}

/** notification-manager's Router: alerts its `alertSelector` matches go to the receivers it picks. */
export interface NmRouter {
  readonly name: string;
  /** Alertmanager matchers of `alertSelector`. */
  readonly matchers: readonly string[];
  /** Names of the receivers it picks. */
  readonly receivers: ReadonlySet<string>;
}

/** The channel types a router's `receivers.type` may name (notification-manager's). */
const TYPES = [
  'dingtalk',
  'discord',
  'email',
  'feishu',
  'pushover',
  'sms',
  'slack',
  'telegram',
  'webhook',
  'wechat',
];

/**
 * The `routers` of the notification-manager document. A router picks the receivers named in
 * `receivers.name`, those whose name `receivers.regexName` matches (RE2, unanchored, as Go's
 * `MatchString`) and those whose labels `receivers.selector` selects; with none of the three, all
 * of them; `receivers.type` then keeps those of that channel.
 */
export function parseNmRouters(
  c: Checker,
  raw: unknown,
  path: string,
  receivers: readonly NmReceiver[],
): NmRouter[] {
  return c.list(raw, path).map((r, i) => {
    const p = join(path, i);
    const o = c.obj(r, p, ['name', 'alertSelector', 'receivers']);
    const name = c.str(o.name, join(p, 'name')) ?? '';
    if (name === '') c.fail(join(p, 'name'), 'missing name in router');
    const matchers = selectorMatchers(c, o.alertSelector, join(p, 'alertSelector'));
    const rp = join(p, 'receivers');
    if (o.receivers === undefined) c.fail(rp, 'a router names its receivers');
    const sel = c.obj(o.receivers, rp, ['name', 'regexName', 'selector', 'type']);
    const names = c.list(sel.name, join(rp, 'name')).map((n, j) => {
      const s = c.str(n, join(join(rp, 'name'), j)) ?? '';
      if (!receivers.some((x) => x.name === s))
        c.fail(join(join(rp, 'name'), j), `receiver "${s}" is not defined`);
      return s;
    });
    const regexText = c.str(sel.regexName, join(rp, 'regexName'));
    let regex: ((s: string) => boolean) | null = null;
    if (regexText !== undefined)
      try {
        const re = compilePromRegex(`.*(?:${regexText}).*`);
        regex = (s) => re.test(s);
      } catch (e) {
        c.fail(join(rp, 'regexName'), `error parsing regexp: ${(e as Error).message}`);
      }
    const selector =
      sel.selector === undefined
        ? null
        : c.obj(sel.selector, join(rp, 'selector'), SELECTOR_FIELDS);
    if (selector !== null) selectorMatchers(c, selector, join(rp, 'selector'));
    const type = c.str(sel.type, join(rp, 'type'));
    if (type !== undefined && !TYPES.includes(type))
      c.fail(join(rp, 'type'), `type must be one of ${TYPES.join(', ')}`);
    const any = names.length > 0 || regexText !== undefined || selector !== null;
    const picked = receivers.filter(
      (x) =>
        (!any ||
          names.includes(x.name) ||
          (regex !== null && regex(x.name)) ||
          (selector !== null && selects(selector, x.labels))) &&
        (type === undefined || x.type === type),
    );
    return { name, matchers, receivers: new Set(picked.map((x) => x.name)) };
  });
}
