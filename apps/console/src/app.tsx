import { useEffect, useState } from 'preact/hooks';
import { canRead, type Session } from './api';
import { ApiKeysPage } from './pages/api-keys';
import { AuditPage } from './pages/audit';
import { EventsPage } from './pages/events';
import { ExplorerPage } from './pages/explorer';
import { IngestPage } from './pages/ingest';
import { ModelsPage } from './pages/models';
import { PipelinesPage } from './pages/pipelines';
import { RulesPage } from './pages/rules';
import { SilencesPage } from './pages/silences';
import { SignInPage } from './pages/sign-in';
import { TenantsPage } from './pages/tenants';

// Hash routes: the gateway serves one page at / and the paths after it stay the API's.
const PAGES = {
  explore: { title: 'Explore', render: (s: Session) => <ExplorerPage session={s} /> },
  tenants: { title: 'Tenants', render: (s: Session) => <TenantsPage session={s} /> },
  keys: { title: 'API keys', render: (s: Session) => <ApiKeysPage session={s} /> },
  audit: { title: 'Audit', render: (s: Session) => <AuditPage session={s} /> },
  rules: { title: 'Rules', render: (s: Session) => <RulesPage session={s} /> },
  alerts: { title: 'Alerts', render: (s: Session) => <SilencesPage session={s} /> },
  events: { title: 'Events', render: (s: Session) => <EventsPage session={s} /> },
  pipelines: { title: 'Pipelines', render: (s: Session) => <PipelinesPage session={s} /> },
  models: { title: 'Models', render: (s: Session) => <ModelsPage session={s} /> },
  ingest: { title: 'Send data', render: (s: Session) => <IngestPage session={s} /> },
} as const;
type PageName = keyof typeof PAGES;

/** Pages a `write`-only key can use; the others read the tenant's data or settings. */
const WRITE_PAGES: ReadonlySet<PageName> = new Set(['ingest']);

/** What a read page says to a key that cannot read, instead of the API's refusals. */
function CannotRead({ session, title }: { session: Session; title: string }) {
  return (
    <section aria-labelledby="cannot-read-title">
      <h1 id="cannot-read-title">{title}</h1>
      <p class="warning" role="note">
        This key of {session.tenantId} has the {session.scopes?.join(', ')} scope only, so it cannot
        read this page. It can send data: see <a href="#/ingest">Send data</a>.
      </p>
    </section>
  );
}

// The tab's session only: closing the tab signs out, and no other site can read it.
const STORAGE_KEY = 'strata.session';

function currentPage(): PageName {
  // `#/explore?expr=...`: the page is the part before the query.
  const name = window.location.hash.replace(/^#\/?/, '').split('?')[0];
  return name in PAGES ? (name as PageName) : 'explore';
}

function storedSession(): Session | null {
  try {
    const raw = sessionStorage.getItem(STORAGE_KEY);
    return raw ? (JSON.parse(raw) as Session) : null;
  } catch {
    return null;
  }
}

/** The console: sign in, then a navigation bar over the pages. */
export function App() {
  const [session, setSession] = useState<Session | null>(storedSession);
  const [page, setPage] = useState<PageName>(currentPage);
  useEffect(() => {
    const onHash = () => setPage(currentPage());
    window.addEventListener('hashchange', onHash);
    return () => window.removeEventListener('hashchange', onHash);
  }, []);
  useEffect(() => {
    document.title = `${PAGES[page].title} · Strata console`;
  }, [page]);

  if (!session) {
    return (
      <SignInPage
        onSignedIn={(s) => {
          sessionStorage.setItem(STORAGE_KEY, JSON.stringify(s));
          // A key that cannot read starts where it can do something.
          if (!canRead(s)) window.location.hash = '#/ingest';
          setSession(s);
        }}
      />
    );
  }
  return (
    <>
      <header class="top">
        <span class="brand">Strata</span>
        <nav aria-label="Pages">
          {(Object.keys(PAGES) as PageName[]).map((name) => (
            <a key={name} href={`#/${name}`} aria-current={name === page ? 'page' : undefined}>
              {PAGES[name].title}
            </a>
          ))}
        </nav>
        <span class="who">
          {session.kind === 'admin' ? 'platform admin' : `key of ${session.tenantId}`}
        </span>
        <button
          type="button"
          onClick={() => {
            sessionStorage.removeItem(STORAGE_KEY);
            setSession(null);
          }}
        >
          Sign out
        </button>
      </header>
      <main>
        {canRead(session) || WRITE_PAGES.has(page) ? (
          PAGES[page].render(session)
        ) : (
          <CannotRead session={session} title={PAGES[page].title} />
        )}
      </main>
    </>
  );
}
