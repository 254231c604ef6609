import { type Page, type RegisteredModelView } from '@strata/contracts';
import { useEffect, useState } from 'preact/hooks';
import { call, query, type Session } from '../api';
import { ErrorBanner } from '../components/error-banner';
import { ModelLineage, type VersionWithQueries } from '../components/model-lineage';
import { Pager, useCursorHistory } from '../components/pager';
import { TenantPicker } from '../components/tenant-picker';

/** Registered models (MLflow's registry): a model opens to its versions, aliases and lineage. */
export function ModelsPage({ session }: { session: Session }) {
  const [tenant, setTenant] = useState<string | null>(session.tenantId);
  const [page, setPage] = useState<Page<RegisteredModelView> | null>(null);
  const pages = useCursorHistory();
  const [open, setOpen] = useState<RegisteredModelView | null>(null);
  const [lineage, setLineage] = useState<VersionWithQueries | null>(null);
  const [error, setError] = useState<unknown>(null);
  useEffect(() => {
    setOpen(null);
    setLineage(null);
    pages.reset();
  }, [session, tenant]);
  useEffect(() => {
    if (!tenant) return;
    let current = true;
    call<Page<RegisteredModelView>>(
      session,
      `/api/v1/registry/models${query({ cursor: pages.cursor })}`,
      { tenant },
    )
      .then(({ body }) => current && setPage(body))
      .catch((err: unknown) => current && setError(err));
    // An answer to a request made for another tenant or page is dropped.
    return () => {
      current = false;
    };
  }, [session, tenant, pages.cursor]);
  const view = async (name: string) => {
    try {
      setLineage(null);
      setOpen(
        (await call<RegisteredModelView>(session, `/api/v1/registry/models/${name}`, { tenant }))
          .body,
      );
    } catch (err) {
      setError(err);
    }
  };
  const showLineage = async (name: string, version: number) => {
    try {
      setLineage(
        (
          await call<VersionWithQueries>(
            session,
            `/api/v1/registry/models/${name}/versions/${version}`,
            { tenant },
          )
        ).body,
      );
    } catch (err) {
      setError(err);
    }
  };
  return (
    <section aria-labelledby="models-title">
      <h1 id="models-title">Models</h1>
      <TenantPicker session={session} value={tenant} onChange={setTenant} />
      <ErrorBanner error={error} />
      <div class="table-wrap">
        <table aria-label="Registered models">
          <thead>
            <tr>
              <th scope="col">Model</th>
              <th scope="col">Latest version</th>
              <th scope="col">Aliases</th>
              <th scope="col">Updated</th>
            </tr>
          </thead>
          <tbody>
            {page?.items.map((m) => (
              <tr key={m.name} data-model={m.name}>
                <td>
                  <button type="button" class="link" onClick={() => void view(m.name)}>
                    {m.name}
                  </button>
                </td>
                <td data-field="latestVersion">{m.latestVersion ?? '-'}</td>
                <td>
                  {Object.entries(m.aliases)
                    .map(([a, v]) => `${a} → ${v}`)
                    .join(', ') || '-'}
                </td>
                <td>{m.updatedAt}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      <Pager
        hasPrevious={pages.hasPrevious}
        hasNext={Boolean(page?.nextCursor)}
        onPrevious={pages.previous}
        onNext={() => pages.next(page?.nextCursor ?? null)}
      />
      {open && (
        <article aria-labelledby="model-title">
          <h2 id="model-title">Model {open.name}</h2>
          {open.description && <p>{open.description}</p>}
          <div class="table-wrap">
            <table aria-label={`Versions of ${open.name}`}>
              <thead>
                <tr>
                  <th scope="col">Version</th>
                  <th scope="col">Aliases</th>
                  <th scope="col">Source</th>
                  <th scope="col">Run</th>
                  <th scope="col">Manifest</th>
                  <th scope="col">Created</th>
                  <th scope="col">Lineage</th>
                </tr>
              </thead>
              <tbody>
                {open.versions.map((v) => (
                  <tr key={v.version} data-version={v.version}>
                    <td>{v.version}</td>
                    <td data-field="aliases">{v.aliases.join(', ') || '-'}</td>
                    <td data-field="source" class="series-name">
                      {v.source}
                    </td>
                    <td>
                      {v.runLink ? <a href={v.runLink}>{v.runId ?? 'run'}</a> : (v.runId ?? '-')}
                    </td>
                    <td class="series-name">{v.manifestDigest ?? '-'}</td>
                    <td>{v.createdAt}</td>
                    <td>
                      <button type="button" onClick={() => void showLineage(open.name, v.version)}>
                        Lineage of version {v.version}
                      </button>
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
          {lineage && tenant && (
            <ModelLineage model={open.name} tenant={tenant} version={lineage} />
          )}
        </article>
      )}
    </section>
  );
}
