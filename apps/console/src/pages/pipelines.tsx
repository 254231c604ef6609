import { type PipelineView } from '@strata/contracts';
import { useEffect, useState } from 'preact/hooks';
import { call, type Session } from '../api';
import { ErrorBanner } from '../components/error-banner';
import { TenantPicker } from '../components/tenant-picker';

/** The components of a pipeline in the order its DAG wires them: transforms, then sinks. */
function components(
  p: PipelineView,
): Array<{ id: string; kind: string; type: string; inputs: string }> {
  const row =
    (kind: string) =>
    ([id, spec]: [string, { type: string; inputs?: string[] }]) => ({
      id,
      kind,
      type: spec.type,
      inputs: (spec.inputs ?? []).join(', '),
    });
  return [
    ...Object.entries(
      p.pipeline.transforms as Record<string, { type: string; inputs?: string[] }>,
    ).map(row('transform')),
    ...Object.entries(p.pipeline.sinks as Record<string, { type: string; inputs?: string[] }>).map(
      row('sink'),
    ),
  ];
}

/** The tenant's log pipelines; one opens to its transforms, sinks and the whole spec. */
export function PipelinesPage({ session }: { session: Session }) {
  const [tenant, setTenant] = useState<string | null>(session.tenantId);
  const [pipelines, setPipelines] = useState<PipelineView[]>([]);
  const [open, setOpen] = useState<PipelineView | null>(null);
  const [error, setError] = useState<unknown>(null);
  useEffect(() => {
    if (!tenant) return;
    setOpen(null);
    call<{ items: PipelineView[] }>(session, `/api/v1/admin/tenants/${tenant}/log-pipelines`)
      .then(({ body }) => setPipelines(body.items))
      .catch(setError);
  }, [session, tenant]);
  const view = async (name: string) => {
    try {
      setOpen(
        (await call<PipelineView>(session, `/api/v1/admin/tenants/${tenant}/log-pipelines/${name}`))
          .body,
      );
    } catch (err) {
      setError(err);
    }
  };
  return (
    <section aria-labelledby="pipelines-title">
      <h1 id="pipelines-title">Log pipelines</h1>
      <TenantPicker session={session} value={tenant} onChange={setTenant} />
      <ErrorBanner error={error} />
      <div class="table-wrap">
        <table aria-label="Log pipelines">
          <caption>{pipelines.length} pipelines</caption>
          <thead>
            <tr>
              <th scope="col">Pipeline</th>
              <th scope="col">Transforms</th>
              <th scope="col">Sinks</th>
              <th scope="col">Version</th>
              <th scope="col">Updated</th>
            </tr>
          </thead>
          <tbody>
            {pipelines.map((p) => (
              <tr key={p.pipeline.name} data-pipeline={p.pipeline.name}>
                <td>
                  <button type="button" class="link" onClick={() => void view(p.pipeline.name)}>
                    {p.pipeline.name}
                  </button>
                </td>
                <td>{Object.keys(p.pipeline.transforms).length}</td>
                <td data-field="sinks">{Object.keys(p.pipeline.sinks).join(', ')}</td>
                <td>{p.version}</td>
                <td>{p.updatedAt}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      {open && (
        <article aria-labelledby="pipeline-title">
          <h2 id="pipeline-title">Pipeline {open.pipeline.name}</h2>
          <div class="table-wrap">
            <table aria-label={`Components of ${open.pipeline.name}`}>
              <thead>
                <tr>
                  <th scope="col">Component</th>
                  <th scope="col">Kind</th>
                  <th scope="col">Type</th>
                  <th scope="col">Inputs</th>
                </tr>
              </thead>
              <tbody>
                {components(open).map((c) => (
                  <tr key={c.id} data-component={c.id}>
                    <td>{c.id}</td>
                    <td>{c.kind}</td>
                    <td data-field="type">{c.type}</td>
                    <td>{c.inputs}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
          <pre class="spec" aria-label="Pipeline spec">
            {JSON.stringify(open.pipeline, null, 2)}
          </pre>
        </article>
      )}
    </section>
  );
}
