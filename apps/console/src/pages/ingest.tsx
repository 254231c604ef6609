import { useState } from 'preact/hooks';
import { canRead, type Session } from '../api';
import { TenantPicker } from '../components/tenant-picker';

/** One way to send data to the tenant: the endpoint and a configuration to copy. */
interface Endpoint {
  id: string;
  title: string;
  url: string;
  snippet: string;
}

/**
 * The ingestion endpoints of the public API with configurations for the usual senders, filled in
 * with the page's origin and the session's credential (the admin's also names the tenant).
 */
function endpoints(origin: string, session: Session, tenant: string): Endpoint[] {
  const secret = session.secret;
  const orgHeader = session.kind === 'admin';
  const indent = (n: number, lines: string[]) => lines.map((l) => ' '.repeat(n) + l);
  const remoteWrite = `${origin}/api/v1/write`;
  const loki = `${origin}/loki/api/v1/push`;
  const audit = `${origin}/api/v1/audit/webhook/event`;
  return [
    {
      id: 'remote-write',
      title: 'Prometheus remote_write',
      url: remoteWrite,
      snippet: [
        'remote_write:',
        `  - url: ${remoteWrite}`,
        '    authorization:',
        `      credentials: ${secret}`,
        ...(orgHeader ? indent(4, ['headers:', `  X-Scope-OrgID: ${tenant}`]) : []),
      ].join('\n'),
    },
    {
      id: 'loki',
      title: 'Loki push (Promtail, Grafana Alloy)',
      url: loki,
      snippet: [
        'clients:',
        `  - url: ${loki}`,
        `    bearer_token: ${secret}`,
        ...(orgHeader ? indent(4, [`tenant_id: ${tenant}`]) : []),
      ].join('\n'),
    },
    {
      id: 'otlp',
      title: 'OpenTelemetry Collector, OTLP/HTTP logs',
      url: `${origin}/v1/logs`,
      snippet: [
        'exporters:',
        '  otlphttp/strata:',
        `    logs_endpoint: ${origin}/v1/logs`,
        '    headers:',
        `      Authorization: Bearer ${secret}`,
        ...(orgHeader ? indent(6, [`X-Scope-OrgID: ${tenant}`]) : []),
      ].join('\n'),
    },
    {
      id: 'audit',
      title: 'Kubernetes audit webhook (kubeconfig for --audit-webhook-config-file)',
      url: audit,
      snippet: [
        ...(orgHeader
          ? [`# kube-apiserver sends no tenant header: use a write key of ${tenant} as the token`]
          : []),
        'apiVersion: v1',
        'kind: Config',
        'clusters:',
        '  - name: strata',
        '    cluster:',
        `      server: ${audit}?cluster=my-cluster`,
        'users:',
        '  - name: strata',
        '    user:',
        `      token: ${secret}`,
        'contexts:',
        '  - name: strata',
        '    context: { cluster: strata, user: strata }',
        'current-context: strata',
      ].join('\n'),
    },
  ];
}

/** Where and how to send data: what a `write`-only key can do, and a start for everyone. */
export function IngestPage({ session }: { session: Session }) {
  const [tenant, setTenant] = useState<string | null>(session.tenantId);
  const [copied, setCopied] = useState<string | null>(null);
  const copy = async (e: Endpoint) => {
    try {
      await navigator.clipboard.writeText(e.snippet);
      setCopied(e.id);
    } catch {
      // Without clipboard access the snippet stays selectable on the page.
      setCopied(null);
    }
  };
  const scopes = session.scopes ? session.scopes.join(', ') : 'every scope (platform admin)';
  return (
    <section aria-labelledby="ingest-title">
      <h1 id="ingest-title">Send data</h1>
      <TenantPicker session={session} value={tenant} onChange={setTenant} />
      <p data-field="scopes">Scopes: {scopes}</p>
      {!canRead(session) && (
        <p class="warning" role="note">
          This key can send data to {session.tenantId} but cannot read it back: the other pages need
          a key with the read scope.
        </p>
      )}
      {tenant &&
        endpoints(window.location.origin, session, tenant).map((e) => (
          <article
            key={e.id}
            class="panel endpoint"
            aria-labelledby={`ingest-${e.id}`}
            data-endpoint={e.id}
          >
            <h2 id={`ingest-${e.id}`}>{e.title}</h2>
            <p>
              Endpoint: <code data-field="url">{e.url}</code>
            </p>
            <pre class="spec" aria-label={`${e.title} configuration`}>
              {e.snippet}
            </pre>
            <button type="button" onClick={() => void copy(e)}>
              Copy {e.title} configuration
            </button>{' '}
            {copied === e.id && (
              <span class="ok" role="status">
                Copied
              </span>
            )}
          </article>
        ))}
    </section>
  );
}
