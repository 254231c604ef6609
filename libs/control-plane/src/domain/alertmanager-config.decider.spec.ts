import { StrataError, type AlertmanagerConfigEvent } from '@strata/contracts';
import {
  alertmanagerConfigDecider as decider,
  type AlertmanagerConfigCommand,
  type AlertmanagerConfigState,
} from './alertmanager-config.decider';

const live: AlertmanagerConfigState['tenant'] = { status: 'active', displayName: 'Acme' };
const good =
  'route: {receiver: hook}\nreceivers: [{name: hook, webhook_configs: [{url: "http://x/"}]}]\n';
const configure = (alertmanagerConfig: string, templateFiles = {}): AlertmanagerConfigCommand => ({
  type: 'ConfigureAlertmanager',
  tenantId: 'acme',
  config: { alertmanagerConfig, templateFiles },
});

function decide(
  events: AlertmanagerConfigEvent[],
  command: AlertmanagerConfigCommand,
  tenant: AlertmanagerConfigState['tenant'] = live,
): AlertmanagerConfigEvent[] {
  return decider.decide(command, {
    ...events.reduce(decider.evolve, decider.initialState()),
    tenant,
  });
}

function refusal(run: () => unknown): StrataError {
  try {
    run();
  } catch (e) {
    if (e instanceof StrataError) return e;
    throw e;
  }
  throw new Error('the command was accepted');
}

describe('Alertmanager configuration decider', () => {
  const configured: AlertmanagerConfigEvent = {
    type: 'AlertmanagerConfigured',
    data: { tenantId: 'acme', alertmanagerConfig: good, templateFiles: {} },
  };

  it('records a valid configuration, and nothing when the same one comes again', () => {
    expect(decide([], configure(good))).toEqual([configured]);
    expect(decide([configured], configure(good))).toEqual([]);
  });

  it('refuses what amtool check-config refuses, with every path and reason', () => {
    const e = refusal(() =>
      decide(
        [],
        configure(
          'route:\n  receiver: nobody\n  routes: [{matchers: [\'a=~"("\']}]\nreceivers: [{name: hook}]\n',
        ),
      ),
    );
    expect(e.code).toBe('validation_failed');
    expect(e.fields).toEqual(
      expect.arrayContaining([
        { path: 'route.receiver', message: 'undefined receiver "nobody" used in route' },
        expect.objectContaining({ path: 'route.routes[0].matchers[0]' }),
      ]),
    );
  });

  it('refuses a template that uses an unknown function', () => {
    const e = refusal(() =>
      decide([], configure(good, { 't.tmpl': '{{ define "x" }}{{ nope . }}{{ end }}' })),
    );
    expect(e.code).toBe('validation_failed');
    expect(e.message).toContain('function "nope" not defined');
  });

  it('deletes only what exists, and only for a live tenant', () => {
    const del: AlertmanagerConfigCommand = { type: 'DeleteAlertmanagerConfig', tenantId: 'acme' };
    expect(decide([configured], del)).toEqual([
      { type: 'AlertmanagerConfigDeleted', data: { tenantId: 'acme' } },
    ]);
    expect(refusal(() => decide([], del)).code).toBe('not_found');
    expect(refusal(() => decide([], configure(good), null)).code).toBe('not_found');
    expect(
      refusal(() => decide([], configure(good), { status: 'deleted', displayName: 'Acme' })).code,
    ).toBe('not_found');
  });
});
