import { type ModelVersionView, type ServingQueries } from '@strata/contracts';

/** A version as `GET /api/v1/registry/models/{name}/versions/{v}` answers it. */
export type VersionWithQueries = ModelVersionView & { servingQueries: ServingQueries[] };

/** A link that opens the explorer on `expr` for `tenant`. */
export function explorerLink(expr: string, tenant: string): string {
  return `#/explore?${new URLSearchParams({ expr, tenant }).toString()}`;
}

/**
 * Where a version comes from and where it goes, as an ordered list a screen reader reads in
 * order: the run and source, the version, its aliases, and the workloads serving it with their
 * queries.
 */
export function ModelLineage(props: {
  model: string;
  tenant: string;
  version: VersionWithQueries;
}) {
  const { model, tenant, version: v } = props;
  const title = `Lineage of ${model} version ${v.version}`;
  return (
    <article aria-label={title} class="panel">
      <h3>{title}</h3>
      <ol class="lineage" aria-label={title}>
        <li data-step="run">
          <strong>Run</strong>:{' '}
          {v.runLink ? (
            <a href={v.runLink} data-field="run">
              {v.runId ?? v.runLink}
            </a>
          ) : (
            <span data-field="run">{v.runId ?? 'no run recorded'}</span>
          )}
          , source <code data-field="source">{v.source}</code>
        </li>
        <li data-step="version">
          <strong>Version {v.version}</strong>
          {v.manifestDigest && (
            <>
              , manifest <code>{v.manifestDigest}</code>
            </>
          )}
          , registered {v.createdAt}
        </li>
        <li data-step="aliases">
          <strong>Aliases</strong>:{' '}
          <span data-field="aliases">{v.aliases.join(', ') || 'none'}</span>
        </li>
        <li data-step="serving">
          <strong>Serving</strong>:{' '}
          {v.servingQueries.length === 0 ? (
            <span data-field="serving">no workload recorded</span>
          ) : (
            <ul>
              {v.servingQueries.map((q) => (
                <li
                  key={`${q.namespace}/${q.deployment}`}
                  data-workload={`${q.namespace}/${q.deployment}`}
                >
                  Deployment {q.deployment} in {q.namespace}: PromQL{' '}
                  <a href={explorerLink(q.promql.cpu, tenant)} data-query="cpu">
                    CPU of {q.deployment}
                  </a>
                  ,{' '}
                  <a href={explorerLink(q.promql.memory, tenant)} data-query="memory">
                    memory of {q.deployment}
                  </a>
                  ,{' '}
                  <a href={explorerLink(q.promql.restarts, tenant)} data-query="restarts">
                    restarts of {q.deployment}
                  </a>
                  ; logs <code data-query="logs">{q.logs}</code>
                </li>
              ))}
            </ul>
          )}
        </li>
      </ol>
    </article>
  );
}
