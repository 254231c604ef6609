import { SEARCH_TOTAL_CAP } from '@strata/contracts';
import { auditCorpus, freshDatabase, type FreshDatabase } from '@strata/testing';
import { auditEventRow } from './archive-rows';
import { EventArchive } from './event-archive';

jest.setTimeout(120_000);

describe('the event archive', () => {
  let db: FreshDatabase;
  let archive: EventArchive;
  const t0 = Date.now() - 6 * 3_600_000;
  // One second apart: 10,050 events span under three hours.
  const corpus = auditCorpus(SEARCH_TOTAL_CAP + 50, t0) as Array<
    ReturnType<typeof auditCorpus>[number] & {
      objectRef?: { resource: string };
      user: { username: string };
      responseStatus?: { code: number };
      stageTimestamp: string;
    }
  >;
  const range = { tenantId: 'acme', kind: 'audit' as const, start: t0 - 60_000, end: Date.now() };

  beforeAll(async () => {
    db = await freshDatabase('archive');
    archive = await EventArchive.open({ databaseUrl: db.url, retentionDays: 7 });
    const rows = corpus.map((e) => auditEventRow('prod', e, Date.now()));
    expect(await archive.insert('audit', 'acme', rows)).toBe(rows.length);
  });

  afterAll(async () => {
    await archive?.close();
    await db?.drop();
  });

  it('stores each record once, with the columns search filters on', async () => {
    const again = corpus.slice(0, 500).map((e) => auditEventRow('prod', e, Date.now()));
    expect(await archive.insert('audit', 'acme', again)).toBe(0);
    const want = corpus.filter(
      (e) => e.verb === 'create' && e.objectRef?.resource === 'pods' && e.user.username === 'alice',
    );
    const found = await archive.search({
      ...range,
      verb: 'create',
      resource: 'pods',
      user: 'alice',
      limit: 1000,
    });
    expect(want.length).toBeGreaterThan(0);
    expect(found).toMatchObject({ total: Math.min(want.length, SEARCH_TOTAL_CAP) });
    // Newest first: the page is the newest matches.
    expect(found.items.map((i) => i.event.auditID)).toEqual(
      want
        .map((e) => e.auditID)
        .reverse()
        .slice(0, 1000),
    );
    const failed = corpus.filter((e) => e.responseStatus?.code === 404).length;
    expect((await archive.search({ ...range, responseCode: 404, limit: 0 })).total).toBe(failed);
  });

  it('stops counting at the cap unless asked for the exact total', async () => {
    expect(await archive.search({ ...range, limit: 10 })).toMatchObject({
      total: SEARCH_TOTAL_CAP,
      totalExact: false,
    });
    expect(await archive.search({ ...range, limit: 10, exactTotal: true })).toMatchObject({
      total: corpus.length,
      totalExact: true,
    });
  });

  it('counts every match in the histogram, whose buckets add up to the exact total', async () => {
    const page = await archive.search({ ...range, limit: 0, intervalSeconds: 600 });
    expect(page).toMatchObject({ total: corpus.length, totalExact: true });
    expect(page.histogram?.reduce((n, b) => n + b.count, 0)).toBe(corpus.length);
    // Buckets start on multiples of the interval since the epoch.
    for (const b of page.histogram ?? []) expect(Date.parse(b.time) % 600_000).toBe(0);
    const first = Math.min(...corpus.map((e) => Date.parse(e.stageTimestamp)));
    expect(Date.parse(page.histogram?.[0]?.time ?? '')).toBe(first - (first % 600_000));
  });

  it('archives a batch holding records already archived by the rest of it, counting only the new ones, and keeps text and JSON byte for byte', async () => {
    const at = Date.now() - 3_600_000;
    // COPY's text format escapes these; JSON strings escape them again inside the event.
    const tricky = 'tab\there\nnew line \\ backslash \\N "quoted" \u00e9\r';
    const events = Array.from({ length: 10 }, (_, i) => ({
      ...corpus[i],
      auditID: `mixed-${i}`,
      stageTimestamp: new Date(at + i * 1000).toISOString(),
      responseStatus: { code: 500, message: `${tricky} ${i}` },
      annotations: { note: tricky, [`key\t${i}`]: '\\N' },
    }));
    const rows = events.map((e) => auditEventRow('edge\\1', e, Date.now()));
    expect(await archive.insert('audit', 'mixed', rows.slice(0, 6))).toBe(6);
    // Four of these are archived already: the batch still goes in, whole, once per record.
    expect(await archive.insert('audit', 'mixed', rows.slice(2))).toBe(4);
    const found = await archive.search({
      tenantId: 'mixed',
      kind: 'audit',
      start: at - 60_000,
      end: Date.now(),
      limit: 100,
      sort: 'asc',
      intervalSeconds: 60,
    });
    expect(found.total).toBe(10);
    expect(found.histogram?.reduce((n, b) => n + b.count, 0)).toBe(10);
    expect(found.items.map((i) => i.event)).toEqual(JSON.parse(JSON.stringify(events)));
    expect(found.items.map((i) => i.cluster)).toEqual(events.map(() => 'edge\\1'));
    const text = await archive.search({
      tenantId: 'mixed',
      kind: 'audit',
      start: at - 60_000,
      end: Date.now(),
      text: 'new line \\ backslash',
      limit: 0,
    });
    expect(text.total).toBe(10);
  });

  it("stores an audit event's own JSON text, indented and escaped, as the document search returns", async () => {
    const at = Date.now() - 2 * 3_600_000;
    const tricky = 'tab\there\nnew line \\ backslash \\N "quoted" \u00e9 \u2028\r';
    const events = Array.from({ length: 4 }, (_, i) => ({
      ...corpus[i],
      auditID: `raw-${i}`,
      requestURI: `/api/v1/namespaces/raw/pods/p-${i}?q=${tricky}`,
      stageTimestamp: new Date(at + i * 1000).toISOString(),
      annotations: { note: tricky, ratio: 0.1, [`key\t${i}`]: '\\N' },
    }));
    // As a client may write it: indented with tabs and CRLF, non-ASCII as \u escapes, `\/`.
    const texts = events.map((e) =>
      JSON.stringify(e, null, '\t')
        .replace(/\n/g, '\r\n')
        .replace(/[\u0080-\uffff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`)
        .replace(/\//g, '\\/'),
    );
    const rows = events.map((e, i) => auditEventRow('prod', e, Date.now(), texts[i]));
    expect(await archive.insert('audit', 'raw', rows)).toBe(4);
    // Already archived: the fallback statement stores nothing twice from the same text.
    expect(await archive.insert('audit', 'raw', rows)).toBe(0);
    const search = (text?: string) =>
      archive.search({
        tenantId: 'raw',
        kind: 'audit',
        start: at - 60_000,
        end: Date.now(),
        limit: 100,
        sort: 'asc',
        text,
      });
    const found = await search();
    expect(found.items.map((i) => i.event)).toEqual(JSON.parse(JSON.stringify(events)));
    expect((await search('pods/p-2?q=tab')).items.map((i) => i.event.auditID)).toEqual(['raw-2']);
  });
});
