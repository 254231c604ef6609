import { type AlertmanagerConfigEvent } from './alertmanager-configs';
import { type ApiKeyScope } from './ids';
import { type QuotaSpec } from './quota';
import { type PipelineEvent } from '../logs/pipeline-spec';
import { type RegisteredModelEvent } from './registered-models';
import { type RegistryWebhookEventRecord } from './registry-webhooks';
import { type RuleGroupEvent } from './rule-groups';
import { type SeriesDeletionEvent } from './series-deletions';
import { type EventRuleSetEvent } from '../events/rule-sets';

/**
 * Events of the control-plane aggregates, as stored and as published on
 * `Subjects.controlEvents(aggregate)`. Published names never change; a new shape gets a `V2`.
 */
export type TenantEvent =
  | { type: 'TenantCreated'; data: { tenantId: string; displayName: string } }
  | { type: 'TenantRenamed'; data: { tenantId: string; displayName: string } }
  | { type: 'TenantSuspended'; data: { tenantId: string; reason: string | null } }
  | { type: 'TenantResumed'; data: { tenantId: string } }
  | { type: 'TenantDeleted'; data: { tenantId: string } };

export type QuotaEvent = {
  type: 'QuotaSet';
  data: { tenantId: string; quota: QuotaSpec; changed: Array<keyof QuotaSpec> };
};

export type ApiKeyEvent =
  | {
      type: 'ApiKeyIssued';
      data: {
        keyId: string;
        tenantId: string;
        name: string;
        scopes: ApiKeyScope[];
        /** scrypt hash of the secret; the secret itself is never stored. */
        secretHash: string;
        expiresAt: string | null;
      };
    }
  | { type: 'ApiKeyRevoked'; data: { keyId: string; tenantId: string } };

/** Every control-plane event. */
export type ControlEvent =
  | TenantEvent
  | QuotaEvent
  | ApiKeyEvent
  | RuleGroupEvent
  | EventRuleSetEvent
  | RegisteredModelEvent
  | RegistryWebhookEventRecord
  | PipelineEvent
  | SeriesDeletionEvent
  | AlertmanagerConfigEvent;

/** Aggregate types, used as the stream-id prefix and the subject token of relayed events. */
export type ControlAggregate =
  | 'tenant'
  | 'quota'
  | 'apikey'
  | 'rulegroup'
  | 'eventruleset'
  | 'model'
  | 'modelwebhooks'
  | 'pipeline'
  | 'seriesdeletion'
  | 'alertmanager';

/** The envelope of an event relayed to NATS by the outbox. */
export interface RelayedEvent {
  position: number;
  streamId: string;
  version: number;
  type: ControlEvent['type'];
  data: ControlEvent['data'];
  metadata: {
    actor: string;
    actorKind: string;
    sourceAddress: string;
    requestId: string;
    tenantId: string | null;
    /** What caused the event (the request id of its command). */
    causation?: string | null;
    /** Shared by everything one user action set off. */
    correlation?: string | null;
  };
  recordedAt: string;
}
