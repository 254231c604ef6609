import {
  keepPipelineSecrets,
  StrataError,
  type ControlCommand,
  type PipelineEvent,
  type PipelineSpec,
} from '@strata/contracts';
import { compilePipeline, PipelineValidationError } from '@strata/logpipeline';
import { type Decider } from './decider';
import { assertTenantLive, type TenantState } from './tenant.decider';

/** JSON with object keys sorted: the stored spec comes back from jsonb with its keys reordered. */
function canonical(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) =>
    v !== null && typeof v === 'object' && !Array.isArray(v)
      ? Object.fromEntries(
          Object.entries(v as Record<string, unknown>).sort(([a], [b]) =>
            a < b ? -1 : a > b ? 1 : 0,
          ),
        )
      : v,
  );
}

/** Commands of the log pipeline aggregate. */
export type PipelineCommand = Extract<
  ControlCommand,
  { type: 'ConfigurePipeline' | 'DeletePipeline' }
>;

/** A pipeline's current spec (null: never configured, or deleted) and its tenant's state. */
export interface PipelineState {
  pipeline: PipelineSpec | null;
  tenant: TenantState | null;
}

/**
 * The log pipeline aggregate: a spec is compiled before anything is appended, so a pipeline with
 * a cycle, an unknown input or a pattern RE2 refuses never reaches logflow.
 */
export const pipelineDecider: Decider<PipelineCommand, PipelineEvent, PipelineState> = {
  decide(command, state) {
    assertTenantLive(command.tenantId, state.tenant ?? { status: 'none', displayName: '' });
    if (command.type === 'DeletePipeline') {
      if (state.pipeline === null)
        throw new StrataError(
          'not_found',
          `log pipeline ${JSON.stringify(command.name)} does not exist`,
        );
      return [
        { type: 'PipelineDeleted', data: { tenantId: command.tenantId, name: command.name } },
      ];
    }
    // A credential read back masked and written again keeps the stored value.
    const { spec: pipeline, missing } = keepPipelineSecrets(command.pipeline, state.pipeline);
    if (missing.length > 0)
      throw new StrataError(
        'validation_failed',
        `invalid log pipeline ${JSON.stringify(pipeline.name)}: a masked credential with no stored value`,
        missing.map((m) => ({
          path: `pipeline.${m.path}`,
          message: 'the mask stands for a stored credential, and none is stored here',
        })),
        { reason: 'invalid_pipeline' },
      );
    try {
      compilePipeline(pipeline);
    } catch (error) {
      if (!(error instanceof PipelineValidationError)) throw error;
      throw new StrataError(
        'validation_failed',
        `invalid log pipeline ${JSON.stringify(pipeline.name)}: ${error.message}`,
        error.problems.map((p) => ({ path: `pipeline.${p.path}`, message: p.message })),
        { reason: 'invalid_pipeline' },
      );
    }
    if (state.pipeline !== null && canonical(state.pipeline) === canonical(pipeline)) return [];
    return [{ type: 'PipelineConfigured', data: { tenantId: command.tenantId, pipeline } }];
  },
  evolve(state, event) {
    switch (event.type) {
      case 'PipelineConfigured':
        return { ...state, pipeline: event.data.pipeline };
      case 'PipelineDeleted':
        return { ...state, pipeline: null };
    }
  },
  initialState: () => ({ pipeline: null, tenant: null }),
};
