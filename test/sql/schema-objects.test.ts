import { describe, expect, it } from 'vitest';
import { PgDatabaseInspector } from '../../functions/adapters/pg/inspector.ts';
import { diffSchemas } from '../../functions/domain/verification/schema-diff.ts';
import { withTempDatabase } from '../support/pg.ts';

describe('PgDatabaseInspector.describeSchema: the object section', () => {
  it('reads aggregates and SQL-standard bodies, and leaves out what is not the database own', async () => {
    await withTempDatabase(async (database) => {
      // Prepare: an aggregate (pg_get_functiondef refuses those), a SQL-standard function (its
      // prosrc is empty, the body is in prosqlbody), amcheck where the verification probe puts it,
      // and a grant to the superuser running the test (superusers are never listed as roles).
      const client = await database.connect();
      await client.query(`
        CREATE SCHEMA app;
        CREATE FUNCTION app.add(a integer, b integer) RETURNS integer LANGUAGE sql IMMUTABLE RETURN a + b;
        CREATE AGGREGATE app.total(integer) (SFUNC = app.add, STYPE = integer, INITCOND = '0');
        CREATE SCHEMA dr_amcheck;
        CREATE EXTENSION amcheck SCHEMA dr_amcheck;
        CREATE TABLE app.t (x integer);
        CREATE DOMAIN app.email AS text NOT NULL DEFAULT 'nobody@example.com' CONSTRAINT email_check CHECK (VALUE ~ '@');
        GRANT SELECT ON app.t TO CURRENT_USER;`);
      const inspector = new PgDatabaseInspector(client);

      // Act
      const before = await inspector.describeSchema();
      await client.query('CREATE OR REPLACE FUNCTION app.add(a integer, b integer) RETURNS integer LANGUAGE sql IMMUTABLE RETURN a - b');
      await client.query('ALTER DOMAIN app.email DROP CONSTRAINT email_check');
      const after = await inspector.describeSchema();

      // Assess
      const objects = before.objects;
      expect(objects?.routines.map((r) => [r.kind, `${r.schema}.${r.name}(${r.arguments})`])).toEqual([
        ['function', 'app.add(a integer, b integer)'],
        ['aggregate', 'app.total(integer)'],
      ]);
      expect(objects?.routines[1]?.definition).toBe('AGGREGATE (SFUNC = app.add, STYPE = integer, FINALFUNC = -, COMBINEFUNC = -, INITCOND = 0)');
      expect(objects?.domains).toEqual([
        { schema: 'app', name: 'email', type: 'text', notNull: true, default: "'nobody@example.com'::text", constraints: ["email_check: CHECK ((VALUE ~ '@'::text))"] },
      ]);
      expect(objects?.extensions.map((e) => e.name)).toEqual(['plpgsql']);
      expect(objects?.access.map((a) => a.object).filter((o) => o.includes('amcheck'))).toEqual([]);
      expect(objects?.roles).toEqual([]);
      expect(diffSchemas(before, after)).toEqual([
        'domain app.email: constraints email_check: CHECK ((VALUE ~ \'@\'::text)) -> none',
        'function app.add(a integer, b integer): body changed',
      ]);
    }, 'objects');
  });
});
