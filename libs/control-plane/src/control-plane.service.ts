import { type DataSource } from 'typeorm';
import {
  ControlCommandRequest,
  ControlQueryRequest,
  parseOrThrow,
  type CommandAccepted,
} from '@strata/contracts';
import { type EventStore, type ProjectionRunner } from '@strata/eventstore';
import { type SecretKeyring } from '@strata/service-kit';
import { ControlPlaneCommandHandler } from './command-handler';
import { ApiKeyAuthenticator } from './queries/authenticate-api-key';
import { ControlPlaneQueryHandler } from './queries/query-handler';

/** Options of the control-plane service core. */
export interface ControlPlaneServiceOptions {
  /**
   * When set, a command returns only after the read models include its events, so a client
   * reads its own writes (a GetTenant right after CreateTenant finds it).
   */
  projections?: ProjectionRunner;
  /** Most rules a rule group may hold (default 40, Whizard's; 0: no limit). */
  maxRulesPerGroup?: number;
  /** Seals sinks' credentials before they are stored; without it they are refused. */
  secretKeyring?: SecretKeyring | null;
}

/** The control plane's one entry for commands and one for queries; both validate their input first. */
export class ControlPlaneService {
  private readonly commands: ControlPlaneCommandHandler;
  private readonly queries: ControlPlaneQueryHandler;

  constructor(
    dataSource: DataSource,
    readonly store: EventStore,
    private readonly options: ControlPlaneServiceOptions = {},
  ) {
    this.commands = new ControlPlaneCommandHandler(
      store,
      options.maxRulesPerGroup === undefined
        ? undefined
        : { maxRulesPerGroup: options.maxRulesPerGroup },
      options.secretKeyring ?? null,
    );
    this.queries = new ControlPlaneQueryHandler(
      dataSource,
      store,
      new ApiKeyAuthenticator(this.commands),
    );
  }

  /** Validates and executes a command; `validation_failed` (with field paths) before anything is appended. */
  async execute(input: unknown): Promise<CommandAccepted> {
    const request = parseOrThrow(ControlCommandRequest, input, 'control command');
    const accepted = await this.commands.execute(request);
    const last = accepted.positions[accepted.positions.length - 1];
    if (last !== undefined) await this.options.projections?.catchUp(last);
    return accepted;
  }

  /** Validates and answers a query. */
  async query(input: unknown): Promise<unknown> {
    const request = parseOrThrow(ControlQueryRequest, input, 'control query');
    return this.queries.handle(request.query);
  }
}
