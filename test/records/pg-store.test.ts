// The records store on a real PostgreSQL server (Debian's postgresql package, a temp cluster per run).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import pg from 'pg';
import { openPgStore } from '../../src/records/pg-store.js';
import type { RecordsStore } from '../../src/records/records-store.js';
import { PG_MIGRATIONS } from '../../src/records/pg-migrations.js';
import { postgresBinDir, startPostgres, type TestPostgres } from './support/postgres.js';
import { storeContract } from './support/contract.js';

const bin = postgresBinDir();
if (!bin) console.warn('PostgreSQL binaries not found under /usr/lib/postgresql (apt-get install postgresql): PostgreSQL store tests skipped');

describe.skipIf(!bin)('PostgreSQL records store', () => {
  let server: TestPostgres;
  let store: RecordsStore;

  beforeAll(async () => {
    server = await startPostgres(bin!);
    store = await openPgStore({ connection: server.connection });
  }, 90_000);

  afterAll(async () => {
    await store?.close();
    server?.stop();
  });

  it('migrates once, under a lock, and a second node opening the same database finds it current', async () => {
    const second = await openPgStore({ connection: server.connection });
    await second.close();
    const c = new pg.Client(server.connection);
    await c.connect();
    const r = await c.query('SELECT version FROM schema_migrations ORDER BY version');
    await c.end();
    expect(r.rows.map((x) => x.version)).toEqual(PG_MIGRATIONS.map((m) => m.version));
  });

  storeContract(() => store);
});
