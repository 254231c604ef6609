import {
  StrataError,
  type CommandAccepted,
  type ControlCommand,
  type ControlCommandRequest,
} from '@strata/contracts';
import {
  ExpectedVersionConflictError,
  searchEvents,
  type EventMetadata,
  type EventStore,
  type NewEvent,
  type RecordedEvent,
} from '@strata/eventstore';
import { generateApiKey, hashSecret } from './domain/api-key-secret';
import { alertmanagerConfigDecider } from './domain/alertmanager-config.decider';
import { apiKeyDecider, type ApiKeyState } from './domain/api-key.decider';
import { type Decider, foldEvents } from './domain/decider';
import { pipelineDecider } from './domain/pipeline.decider';
import { sealPipelineSecrets } from './domain/pipeline-secret-sealing';
import { sealAlertmanagerSecrets } from './domain/alertmanager-secret-sealing';
import { type SecretKeyring } from '@strata/service-kit';
import { eventRuleSetDecider } from './domain/event-rule-set.decider';
import { storedEventRuleSets } from './queries/event-rule-sets.query';
import { quotaDecider } from './domain/quota.decider';
import { registeredModelDecider } from './domain/registered-model.decider';
import { registryWebhookDecider } from './domain/registry-webhook.decider';
import { ruleGroupDecider, type RuleGroupRules } from './domain/rule-group.decider';
import { seriesDeletionDecider } from './domain/series-deletion.decider';
import { StreamIds } from './domain/streams';
import { tenantDecider, type TenantState } from './domain/tenant.decider';

type Loaded<S> = { state: S; version: number };

/** Turns validated commands into appended events: load the stream, decide, append at the loaded version. */
export class ControlPlaneCommandHandler {
  private readonly ruleGroups: ReturnType<typeof ruleGroupDecider>;

  constructor(
    private readonly store: EventStore,
    ruleGroupRules?: RuleGroupRules,
    private readonly secretKeyring: SecretKeyring | null = null,
  ) {
    this.ruleGroups = ruleGroupDecider(ruleGroupRules);
  }

  /**
   * Executes one command; a concurrent change of the same stream surfaces as `version_conflict`.
   * A retry (same request id) of a command that already wrote answers what the first attempt did.
   */
  async execute(request: ControlCommandRequest): Promise<CommandAccepted> {
    const earlier = await this.earlierAttempt(request);
    if (earlier) return earlier;
    return this.decideAndAppend(request);
  }

  private async earlierAttempt({
    command,
    context,
  }: ControlCommandRequest): Promise<CommandAccepted | null> {
    const streamId = targetStream(command);
    const type = command.type === 'IssueApiKey' ? 'ApiKeyIssued' : undefined;
    const tenant = command.type === 'IssueApiKey' ? command.tenantId : undefined;
    const prior = await searchEvents(this.store.dataSource, {
      requestId: context.requestId,
      actor: context.actor,
      streamId,
      type,
      tenant,
      limit: 100,
    });
    if (prior.length === 0) return null;
    const last = prior[prior.length - 1];
    if (command.type === 'IssueApiKey') {
      const keyId = (last.data as { keyId: string }).keyId;
      throw new StrataError(
        'already_exists',
        `request ${context.requestId} already issued API key ${keyId}; its secret was shown once`,
      );
    }
    return {
      streamId: last.streamId,
      version: last.version,
      positions: prior.map((e) => e.position),
    };
  }

  private async decideAndAppend({
    command,
    context,
  }: ControlCommandRequest): Promise<CommandAccepted> {
    const metadata = (tenant: string | null): EventMetadata => ({
      actor: context.actor,
      actorKind: context.actorKind,
      tenant,
      requestId: context.requestId,
      sourceAddress: context.sourceAddress,
      causation: context.requestId,
      correlation: context.correlationId ?? context.requestId,
    });
    switch (command.type) {
      case 'CreateTenant':
      case 'RenameTenant':
      case 'SuspendTenant':
      case 'ResumeTenant':
      case 'DeleteTenant': {
        const streamId = StreamIds.tenant(command.tenantId);
        const loaded = await this.load(tenantDecider, streamId);
        checkExpected(
          streamId,
          command.type === 'CreateTenant' ? undefined : command.expectedVersion,
          loaded.version,
        );
        return this.append(
          streamId,
          loaded.version,
          tenantDecider.decide(command, loaded.state),
          metadata(command.tenantId),
        );
      }
      case 'SetQuota': {
        const tenant = await this.load(tenantDecider, StreamIds.tenant(command.tenantId));
        const streamId = StreamIds.quota(command.tenantId);
        const loaded = await this.load(quotaDecider, streamId);
        checkExpected(streamId, command.expectedVersion, loaded.version);
        const events = quotaDecider.decide(command, { ...loaded.state, tenant: tenant.state });
        return this.append(streamId, loaded.version, events, metadata(command.tenantId));
      }
      case 'IssueApiKey': {
        const tenant = await this.loadTenant(command.tenantId);
        const { keyId, secret } = generateApiKey();
        const secretHash = await hashSecret(secret);
        const events = apiKeyDecider.decide(
          { ...command, keyId, secretHash, now: new Date().toISOString(), tenant },
          apiKeyDecider.initialState(),
        );
        const accepted = await this.append(
          StreamIds.apiKey(keyId),
          0,
          events,
          metadata(command.tenantId),
        );
        return { ...accepted, apiKey: { keyId, secret } };
      }
      case 'RevokeApiKey': {
        const streamId = StreamIds.apiKey(command.keyId);
        const loaded = await this.load(apiKeyDecider, streamId);
        checkExpected(streamId, command.expectedVersion, loaded.version);
        const events = apiKeyDecider.decide(command, loaded.state);
        return this.append(
          streamId,
          loaded.version,
          events,
          metadata(loaded.state.tenantId || null),
        );
      }
      case 'ConfigureRuleGroup':
      case 'DeleteRuleGroup': {
        const tenantId = 'tenantId' in command.target ? command.target.tenantId : null;
        const tenant = tenantId === null ? null : await this.loadTenant(tenantId);
        const streamId = StreamIds.ruleGroup(
          command.target,
          command.type === 'ConfigureRuleGroup' ? command.group.name : command.name,
        );
        const loaded = await this.load(this.ruleGroups, streamId);
        checkExpected(streamId, command.expectedVersion, loaded.version);
        const events = this.ruleGroups.decide(command, { ...loaded.state, tenant });
        return this.append(streamId, loaded.version, events, metadata(tenantId));
      }
      case 'ConfigureEventRuleSet':
      case 'DeleteEventRuleSet': {
        const tenant = await this.loadTenant(command.tenantId);
        const streamId = StreamIds.eventRuleSet(command.tenantId, command.name);
        const loaded = await this.load(eventRuleSetDecider, streamId);
        checkExpected(streamId, command.expectedVersion, loaded.version);
        const others =
          command.type === 'ConfigureEventRuleSet'
            ? await storedEventRuleSets(this.store.dataSource, command.tenantId)
            : [];
        const events = eventRuleSetDecider.decide(command, { ...loaded.state, tenant, others });
        return this.append(streamId, loaded.version, events, metadata(command.tenantId));
      }
      case 'CreateRegisteredModel':
      case 'UpdateRegisteredModel':
      case 'SetRegisteredModelTag':
      case 'DeleteRegisteredModel':
      case 'CreateModelVersion':
      case 'SetModelVersionTag':
      case 'SetModelAlias':
      case 'DeleteModelAlias':
      case 'SetRegisteredModelPermission':
      case 'DeleteRegisteredModelPermission': {
        const tenant = await this.loadTenant(command.tenantId);
        const streamId = StreamIds.registeredModel(command.tenantId, command.name);
        const loaded = await this.load(registeredModelDecider, streamId);
        if (command.type === 'UpdateRegisteredModel')
          checkExpected(streamId, command.expectedVersion, loaded.version);
        // Appending at the loaded version makes two concurrent version creations or alias moves
        // conflict instead of both succeeding: numbers are never given twice.
        const events = registeredModelDecider.decide(command, { ...loaded.state, tenant });
        return this.append(streamId, loaded.version, events, metadata(command.tenantId));
      }
      case 'ConfigurePipeline':
      case 'DeletePipeline': {
        const tenant = await this.loadTenant(command.tenantId);
        const streamId = StreamIds.pipeline(
          command.tenantId,
          command.type === 'ConfigurePipeline' ? command.pipeline.name : command.name,
        );
        const loaded = await this.load(pipelineDecider, streamId);
        checkExpected(streamId, command.expectedVersion, loaded.version);
        // Sealed before deciding: the decider compares and stores only sealed credentials.
        const sealed =
          command.type === 'ConfigurePipeline'
            ? {
                ...command,
                pipeline: sealPipelineSecrets(
                  command.pipeline,
                  loaded.state.pipeline,
                  this.secretKeyring,
                  command.tenantId,
                ),
              }
            : command;
        const events = pipelineDecider.decide(sealed, { ...loaded.state, tenant });
        return this.append(streamId, loaded.version, events, metadata(command.tenantId));
      }
      case 'SetRegistryWebhook':
      case 'DeleteRegistryWebhook': {
        const tenant = await this.loadTenant(command.tenantId);
        const streamId = StreamIds.registryWebhooks(command.tenantId);
        const loaded = await this.load(registryWebhookDecider, streamId);
        const events = registryWebhookDecider.decide(command, { ...loaded.state, tenant });
        return this.append(streamId, loaded.version, events, metadata(command.tenantId));
      }
      case 'ConfigureAlertmanager':
      case 'DeleteAlertmanagerConfig': {
        const tenant = await this.loadTenant(command.tenantId);
        const streamId = StreamIds.alertmanager(command.tenantId);
        const loaded = await this.load(alertmanagerConfigDecider, streamId);
        checkExpected(streamId, command.expectedVersion, loaded.version);
        const events = sealAlertmanagerSecrets(
          alertmanagerConfigDecider.decide(command, { ...loaded.state, tenant }),
          loaded.state.config,
          this.secretKeyring,
          command.tenantId,
        );
        return this.append(streamId, loaded.version, events, metadata(command.tenantId));
      }
      case 'RequestSeriesDeletion': {
        const tenant = await this.loadTenant(command.tenantId);
        const streamId = StreamIds.seriesDeletion(command.tenantId, command.requestId);
        const loaded = await this.load(seriesDeletionDecider, streamId);
        const events = seriesDeletionDecider.decide(command, { ...loaded.state, tenant });
        return this.append(streamId, loaded.version, events, metadata(command.tenantId));
      }
    }
  }

  /** The current state of an API key, read from its stream (never stale, unlike a read model). */
  async loadApiKey(keyId: string): Promise<ApiKeyState> {
    return (await this.load(apiKeyDecider, StreamIds.apiKey(keyId))).state;
  }

  /** The current state of a tenant, read from its stream. */
  async loadTenant(tenantId: string): Promise<TenantState> {
    return (await this.load(tenantDecider, StreamIds.tenant(tenantId))).state;
  }

  private async load<C, E, S>(decider: Decider<C, E, S>, streamId: string): Promise<Loaded<S>> {
    const events: RecordedEvent[] = await this.store.readStream(streamId);
    return {
      state: foldEvents(decider, events as unknown as E[]),
      version: events.length === 0 ? 0 : events[events.length - 1].version,
    };
  }

  private async append(
    streamId: string,
    version: number,
    events: NewEvent[],
    metadata: EventMetadata,
  ): Promise<CommandAccepted> {
    // A command that changes nothing (suspending a suspended tenant) is accepted without an event.
    if (events.length === 0) return { streamId, version, positions: [] };
    const result = await this.store.append(
      streamId,
      version === 0 ? 'no_stream' : version,
      events,
      metadata,
    );
    return { streamId, version: result.version, positions: result.positions };
  }
}

/** The stream a command writes, when known before deciding (a new key's id is not). */
function targetStream(command: ControlCommand): string | undefined {
  switch (command.type) {
    case 'CreateTenant':
    case 'RenameTenant':
    case 'SuspendTenant':
    case 'ResumeTenant':
    case 'DeleteTenant':
      return StreamIds.tenant(command.tenantId);
    case 'SetQuota':
      return StreamIds.quota(command.tenantId);
    case 'RevokeApiKey':
      return StreamIds.apiKey(command.keyId);
    case 'IssueApiKey':
      return undefined;
    case 'ConfigureRuleGroup':
      return StreamIds.ruleGroup(command.target, command.group.name);
    case 'DeleteRuleGroup':
      return StreamIds.ruleGroup(command.target, command.name);
    case 'ConfigureEventRuleSet':
    case 'DeleteEventRuleSet':
      return StreamIds.eventRuleSet(command.tenantId, command.name);
    case 'CreateRegisteredModel':
    case 'UpdateRegisteredModel':
    case 'SetRegisteredModelTag':
    case 'DeleteRegisteredModel':
    case 'CreateModelVersion':
    case 'SetModelVersionTag':
    case 'SetModelAlias':
    case 'DeleteModelAlias':
    case 'SetRegisteredModelPermission':
    case 'DeleteRegisteredModelPermission':
      return StreamIds.registeredModel(command.tenantId, command.name);
    case 'ConfigurePipeline':
      return StreamIds.pipeline(command.tenantId, command.pipeline.name);
    case 'DeletePipeline':
      return StreamIds.pipeline(command.tenantId, command.name);
    case 'SetRegistryWebhook':
    case 'DeleteRegistryWebhook':
      return StreamIds.registryWebhooks(command.tenantId);
    case 'ConfigureAlertmanager':
    case 'DeleteAlertmanagerConfig':
      return StreamIds.alertmanager(command.tenantId);
    case 'RequestSeriesDeletion':
      return StreamIds.seriesDeletion(command.tenantId, command.requestId);
  }
}

function checkExpected(streamId: string, expected: number | undefined, actual: number): void {
  if (expected !== undefined && expected !== actual)
    throw new ExpectedVersionConflictError(
      streamId,
      expected === 0 ? 'no_stream' : expected,
      actual,
    );
}
