/** The heartbeat contract (heartbeat-store.contract.ts) against the memory double and the PostgreSQL adapter. */
import { PgHeartbeatStore } from '../../functions/adapters/pg/heartbeat.ts';
import { MemoryHeartbeats } from '../support/memory-heartbeats.ts';
import { createTempDatabase, TEST_SERVER } from '../support/pg.ts';
import { heartbeatStoreContract } from './heartbeat-store.contract.ts';

heartbeatStoreContract('MemoryHeartbeats (the double)', async () => {
  const store = new MemoryHeartbeats();
  const iso = (ms: number): string => `${new Date(ms).toISOString().slice(0, -1)}000Z`;
  return {
    store,
    seedAged: async (minutesAgo) => {
      store.rows = [...(store.rows ?? []), ...minutesAgo.map((m) => ({ writtenAt: iso(store.serverNow.getTime() - m * 60_000), writer: `aged ${m}m` }))];
    },
    done: async () => undefined,
  };
});

heartbeatStoreContract('PgHeartbeatStore (the adapter) on PostgreSQL', async () => {
  const db = await createTempDatabase('contract_heartbeat');
  const store = new PgHeartbeatStore({ host: String(TEST_SERVER.host), port: Number(TEST_SERVER.port), database: db.name, tls: 'disable' }, { username: String(TEST_SERVER.user), password: 'unused-with-trust-auth' });
  return {
    store,
    seedAged: async (minutesAgo) => {
      const client = await db.connect();
      for (const m of minutesAgo) await client.query(`INSERT INTO dr.heartbeat (written_at, writer) VALUES (now() - make_interval(mins => $1), $2)`, [m, `aged ${m}m`]);
    },
    done: () => db.drop(),
  };
});
