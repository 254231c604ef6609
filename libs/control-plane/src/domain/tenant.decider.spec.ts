import { type TenantEvent } from '@strata/contracts';
import { deciderSpec } from '../../testing/given-when-then';
import { tenantDecider } from './tenant.decider';

const spec = deciderSpec(tenantDecider);
const created: TenantEvent = {
  type: 'TenantCreated',
  data: { tenantId: 'acme', displayName: 'Acme' },
};
const deleted: TenantEvent = { type: 'TenantDeleted', data: { tenantId: 'acme' } };

describe('tenant decider', () => {
  it('creates a new tenant', () =>
    spec([]).when({ type: 'CreateTenant', tenantId: 'acme', displayName: 'Acme' }).then([created]));
  it('refuses to create an existing tenant', () =>
    spec([created])
      .when({ type: 'CreateTenant', tenantId: 'acme', displayName: 'X' })
      .thenThrows('already_exists'));
  it('never reuses a deleted tenant id', () =>
    spec([created, deleted])
      .when({ type: 'CreateTenant', tenantId: 'acme', displayName: 'X' })
      .thenThrows('already_exists'));
  it('renames', () =>
    spec([created])
      .when({ type: 'RenameTenant', tenantId: 'acme', displayName: 'Acme Inc' })
      .then([{ type: 'TenantRenamed', data: { tenantId: 'acme', displayName: 'Acme Inc' } }]));
  it('treats a rename to the same name as a no-op', () =>
    spec([created]).when({ type: 'RenameTenant', tenantId: 'acme', displayName: 'Acme' }).then([]));
  it('suspends with a reason and resumes', () => {
    spec([created])
      .when({ type: 'SuspendTenant', tenantId: 'acme', reason: 'unpaid' })
      .then([{ type: 'TenantSuspended', data: { tenantId: 'acme', reason: 'unpaid' } }]);
    spec([created, { type: 'TenantSuspended', data: { tenantId: 'acme', reason: null } }])
      .when({ type: 'ResumeTenant', tenantId: 'acme' })
      .then([{ type: 'TenantResumed', data: { tenantId: 'acme' } }]);
  });
  it('makes suspending a suspended tenant and resuming an active one no-ops', () => {
    spec([created, { type: 'TenantSuspended', data: { tenantId: 'acme', reason: null } }])
      .when({ type: 'SuspendTenant', tenantId: 'acme' })
      .then([]);
    spec([created]).when({ type: 'ResumeTenant', tenantId: 'acme' }).then([]);
  });
  it('deletes as a tombstone', () =>
    spec([created]).when({ type: 'DeleteTenant', tenantId: 'acme' }).then([deleted]));
  it('answers not_found for commands on unknown or deleted tenants', () => {
    spec([])
      .when({ type: 'RenameTenant', tenantId: 'acme', displayName: 'X' })
      .thenThrows('not_found');
    spec([created, deleted])
      .when({ type: 'SuspendTenant', tenantId: 'acme' })
      .thenThrows('not_found');
    spec([created, deleted])
      .when({ type: 'DeleteTenant', tenantId: 'acme' })
      .thenThrows('not_found');
  });
});
