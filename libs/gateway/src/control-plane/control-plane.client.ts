import { BusClient, type Bus } from '@strata/bus';
import {
  type CommandAccepted,
  type CommandContext,
  type ControlCommand,
  type ControlCommandRequest,
  type ControlQuery,
  type ControlQueryRequest,
  type ControlQueryResults,
  type ErrorBody,
  type ServiceHealth,
  ERROR_CODES,
  StrataError,
  Subjects,
} from '@strata/contracts';

/** A control-plane query of one type. */
export type QueryOf<T extends ControlQuery['type']> = Extract<ControlQuery, { type: T }>;

/** The gateway's only way to the control plane; failures surface as `StrataError`s. */
export abstract class ControlPlaneClient {
  /** Sends a command and returns what it appended. */
  abstract command(command: ControlCommand, context: CommandContext): Promise<CommandAccepted>;
  /** Asks a query and returns its typed reply. */
  abstract query<T extends ControlQuery['type']>(
    query: QueryOf<T>,
    requestId: string,
  ): Promise<ControlQueryResults[T]>;
  /** Asks a control-plane instance for its health. */
  abstract health(timeoutMs: number): Promise<ServiceHealth>;
}

/** Talks to the control plane over the bus on the contracts' subjects. */
export class BusControlPlaneClient extends ControlPlaneClient {
  private readonly bus: BusClient;

  constructor(
    bus: Bus,
    private readonly timeoutMs = 10_000,
  ) {
    super();
    this.bus = new BusClient(bus);
  }

  async command(command: ControlCommand, context: CommandContext): Promise<CommandAccepted> {
    const request: ControlCommandRequest = { command, context };
    return this.call(() =>
      this.bus.ask(Subjects.controlCommand, request, {
        timeoutMs: this.timeoutMs,
        headers: { 'x-request-id': context.requestId },
      }),
    );
  }

  async query<T extends ControlQuery['type']>(
    query: QueryOf<T>,
    requestId: string,
  ): Promise<ControlQueryResults[T]> {
    const request: ControlQueryRequest = { query, requestId };
    // The reply's type follows the query's type, which the subject map cannot express.
    return this.call(
      () =>
        this.bus.ask(Subjects.controlQuery, request, {
          timeoutMs: this.timeoutMs,
          headers: { 'x-request-id': requestId },
        }) as Promise<ControlQueryResults[T]>,
    );
  }

  async health(timeoutMs: number): Promise<ServiceHealth> {
    return this.call(() =>
      this.bus.ask(Subjects.serviceHealth('control-plane'), {}, { timeoutMs }),
    );
  }

  private async call<T>(send: () => Promise<T>): Promise<T> {
    try {
      return await send();
    } catch (error) {
      throw asStrataError(error);
    }
  }
}

/** Keeps StrataErrors (and wire error bodies) as they are; anything else means the control plane is unreachable. */
export function asStrataError(error: unknown): StrataError {
  if (error instanceof StrataError) return error;
  if (isErrorBody(error)) return StrataError.fromBody(error);
  const message = error instanceof Error ? error.message : String(error);
  return new StrataError('unavailable', `control plane unreachable: ${message}`, undefined, {
    cause: error,
  });
}

function isErrorBody(value: unknown): value is ErrorBody {
  if (typeof value !== 'object' || value === null) return false;
  const { code, message } = value as Partial<ErrorBody>;
  return typeof message === 'string' && (ERROR_CODES as readonly unknown[]).includes(code);
}
