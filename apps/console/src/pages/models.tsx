import { type Page, type RegisteredModelView } from '@strata/contracts';
import { useEffect, useState } from 'preact/hooks';
import { call, query, type Session } from '../api';
import { ErrorBanner } from '../components/error-banner';
import { Pager } from '../components/pager';
import { TenantPicker } from '../components/tenant-picker';

/** Registered models (MLflow's registry): a model opens to its versions, aliases and lineage. */
export function ModelsPage({ session }: { session: Session }) {
  const [tenant, setTenant] = useState<string | null>(session.tenantId);
  const [page, setPage] = useState<Page<RegisteredModelView> | null>(null);
  const [cursors, setCursors] = useState<Array<string | undefined>>([undefined]);
  const [open, setOpen] = useState<RegisteredModelView | null>(null);
  const [error, setError] = useState<unknown>(null);
  const load = (cursor: string | undefined, stack: Array<string | undefined>) => {
    call<Page<RegisteredModelView>>(session, `/api/v1/registry/models${query({ cursor })}`, {
      tenant,
    })
      .then(({ body }) => {
        setPage(body);
        setCursors(stack);
      })
      .catch(setError);
  };
  useEffect(() => {
    if (!tenant) return;
    setOpen(null);
    load(undefined, [undefined]);
  }, [session, tenant]);
  const view = async (name: string) => {
    try {
      setOpen(
        (await call<RegisteredModelView>(session, `/api/v1/registry/models/${name}`, { tenant }))
          .body,
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
        hasPrevious={cursors.length > 1}
        hasNext={Boolean(page?.nextCursor)}
        onPrevious={() => load(cursors[cursors.length - 2], cursors.slice(0, -1))}
        onNext={() =>
          load(page?.nextCursor ?? undefined, [...cursors, page?.nextCursor ?? undefined])
        }
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
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        </article>
      )}
    </section>
  );
}
