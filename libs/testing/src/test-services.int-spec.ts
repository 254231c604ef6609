import { Client } from 'pg';
import { freshDatabase } from './test-services';

describe('freshDatabase', () => {
  it('gives each spec an empty database of its own that drop() removes', async () => {
    const a = await freshDatabase('probe');
    const b = await freshDatabase('probe');
    expect(a.name).not.toBe(b.name);
    const client = new Client({ connectionString: a.url });
    await client.connect();
    const tables = await client.query(
      "SELECT count(*)::int AS n FROM pg_tables WHERE schemaname = 'public'",
    );
    await client.end();
    expect(tables.rows[0].n).toBe(0);
    await a.drop();
    await b.drop();
    const again = new Client({ connectionString: a.url });
    await expect(again.connect()).rejects.toThrow(/does not exist/);
  });
});
