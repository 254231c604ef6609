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
  it('reads an event of an earlier build, with the extensions inside the Alertmanager YAML, moved out', () => {
    const legacy: AlertmanagerConfigEvent = {
      type: 'AlertmanagerConfigured',
      data: {
        tenantId: 'acme',
        alertmanagerConfig:
          'route: {receiver: hook}\nreceivers:\n  - name: hook\n    sms_configs: [{url: "http://x/sms", phone_numbers: ["1"]}]\n',
        templateFiles: {},
      },
    };
    const state = decider.evolve(decider.initialState(), legacy);
    expect(state.config?.alertmanagerConfig).not.toContain('sms_configs');
    expect(state.config?.notificationManager).toContain('alertmanager_receivers');
    // Writing the same configuration in the current form changes nothing.
    const same: AlertmanagerConfigCommand = {
      type: 'ConfigureAlertmanager',
      tenantId: 'acme',
      config: state.config ?? { alertmanagerConfig: '', templateFiles: {} },
    };
    expect(decide([legacy], same)).toEqual([]);
    // Writing it in the old form is refused where the extension sits.
    const old = refusal(() => decide([], configure(legacy.data.alertmanagerConfig)));
    expect(old.fields?.map((f) => f.path)).toEqual(['receivers[0].sms_configs']);
  });
});
