import {
  NATS_IDENTITIES,
  NATS_MONOLITH_IDENTITY,
  natsIdentityFor,
  natsPermissionsOf,
  type NatsIdentity,
} from './nats-permissions';
import { QuerySubjects } from './query/query-api';
import { SERVICE_NAMES, Streams, Subjects, subjectMatches as matches } from './subjects';

const may = (identity: NatsIdentity, op: 'publish' | 'subscribe', subject: string) =>
  natsPermissionsOf(identity)[op].some((pattern) => matches(pattern, subject));
const whoMay = (op: 'publish' | 'subscribe', subject: string) =>
  NATS_IDENTITIES.filter((i) => may(i, op, subject));

describe('the NATS permission table', () => {
  it('lets only the gateway (and the monolith that contains it) send control-plane commands', () => {
    expect(whoMay('publish', Subjects.controlCommand)).toEqual(['gateway', NATS_MONOLITH_IDENTITY]);
    expect(whoMay('subscribe', Subjects.controlCommand)).toEqual([
      'control-plane',
      NATS_MONOLITH_IDENTITY,
    ]);
  });

  it('lets only the router write ingest partitions and only the ingester consume them', () => {
    expect(whoMay('publish', Subjects.ingestSamples(3))).toEqual([
      'router',
      NATS_MONOLITH_IDENTITY,
    ]);
    expect(whoMay('subscribe', Subjects.ingestSamples(3))).toEqual([]);
    const pull = `$JS.API.CONSUMER.MSG.NEXT.${Streams.ingest.name}.ingester-p3-r7`;
    expect(whoMay('publish', pull)).toEqual(['ingester', NATS_MONOLITH_IDENTITY]);
    expect(whoMay('publish', `$JS.API.CONSUMER.CREATE.${Streams.ingest.name}.snoop`)).toEqual([
      'ingester',
      NATS_MONOLITH_IDENTITY,
    ]);
  });

  it('lets only the control plane publish control events, which the router follows', () => {
    expect(whoMay('publish', Subjects.controlEvents('quota'))).toEqual([
      'control-plane',
      NATS_MONOLITH_IDENTITY,
    ]);
    expect(
      may('router', 'publish', `$JS.API.CONSUMER.CREATE.${Streams.controlEvents.name}.x`),
    ).toBe(true);
  });

  it('routes the read path gateway (and the ruler) → query → ingester and nothing else', () => {
    expect(whoMay('publish', QuerySubjects.instant)).toEqual([
      'gateway',
      'ruler',
      NATS_MONOLITH_IDENTITY,
    ]);
    expect(whoMay('publish', QuerySubjects.range)).toEqual(['gateway', NATS_MONOLITH_IDENTITY]);
    expect(whoMay('subscribe', QuerySubjects.instant)).toEqual(['query', NATS_MONOLITH_IDENTITY]);
    expect(whoMay('publish', Subjects.storeQuery('ingester', 0))).toEqual([
      'query',
      NATS_MONOLITH_IDENTITY,
    ]);
    expect(whoMay('subscribe', Subjects.storeQuery('ingester', 0))).toEqual([
      'ingester',
      NATS_MONOLITH_IDENTITY,
    ]);
  });

  it('gives each identity its own inboxes, its own health subjects, and no catch-all', () => {
    for (const identity of NATS_IDENTITIES) {
      const { publish, subscribe } = natsPermissionsOf(identity);
      expect(subscribe.filter((s) => s.startsWith('_INBOX'))).toEqual([`_INBOX.${identity}.>`]);
      for (const pattern of [...publish, ...subscribe])
        expect(['>', '*.>', '$JS.>', '$JS.API.>', '_INBOX.>', 'strata.>']).not.toContain(pattern);
    }
    for (const service of SERVICE_NAMES) {
      expect(whoMay('subscribe', Subjects.serviceHealth(service))).toEqual([
        service,
        NATS_MONOLITH_IDENTITY,
      ]);
    }
  });

  it('gives the monolith the union of every service and picks identities by what a process runs', () => {
    for (const service of SERVICE_NAMES) {
      for (const op of ['publish', 'subscribe'] as const) {
        const own = natsPermissionsOf(service)[op].filter((s) => !s.startsWith('_INBOX'));
        expect(natsPermissionsOf(NATS_MONOLITH_IDENTITY)[op]).toEqual(expect.arrayContaining(own));
      }
    }
    expect(natsIdentityFor(['ingester'])).toBe('ingester');
    expect(natsIdentityFor(['router', 'ingester'])).toBe(NATS_MONOLITH_IDENTITY);
    expect(natsIdentityFor([...SERVICE_NAMES])).toBe(NATS_MONOLITH_IDENTITY);
  });
});
