import { describe, expect, it } from 'vitest';
import { buildManifest, canonicalSchema, fingerprint, serializeManifest } from '../../functions/domain/verification/manifest.ts';
import { diffSchemas } from '../../functions/domain/verification/schema-diff.ts';
import { parseManifest } from '../../functions/contracts/documents/manifest.ts';
import type { SchemaDescription, TableDescription } from '../../functions/domain/verification/manifest.ts';
import { canonicalObjects, diffObjects } from '../../functions/domain/verification/schema-objects.ts';
import type { SchemaObjects } from '../../functions/domain/verification/schema-objects-model.ts';
import { judgeSchema } from '../../functions/domain/verification/schema-check.ts';
import { ValidationError } from '../../functions/shared/errors.ts';

const ORDERS: TableDescription = {
  schema: 'shop',
  name: 'orders',
  kind: 'table',
  columns: [{ name: 'id', type: 'bigint', nullable: false, default: null }],
  constraints: [],
  indexes: [],
};

const OBJECTS: SchemaObjects = {
  formatVersion: 1,
  routines: [
    { schema: 'shop', name: 'email_key', arguments: 'text', kind: 'function', body: 'b1', definition: 'CREATE FUNCTION shop.email_key(text) … IMMUTABLE' },
  ],
  triggers: [{ schema: 'shop', table: 'orders', name: 'orders_audit', definition: 'CREATE TRIGGER orders_audit …', enabled: 'origin' }],
  views: [
    { schema: 'shop', name: 'open_orders', materialized: false, definition: ' SELECT 1;', populated: null },
    { schema: 'shop', name: 'order_totals', materialized: true, definition: ' SELECT 2;', populated: true },
  ],
  enums: [{ schema: 'shop', name: 'order_status', labels: ['open', 'paid', 'shipped', 'cancelled'] }],
  domains: [{ schema: 'shop', name: 'email', type: 'text', notNull: true, default: null, constraints: ["email_check: CHECK ((VALUE ~ '@'::text))"] }],
  extensions: [
    { name: 'citext', version: '1.5', schema: 'public' },
    { name: 'pgcrypto', version: '1.3', schema: 'public' },
  ],
  roles: [
    {
      name: 'app_reader',
      login: true,
      inherit: true,
      createRole: false,
      createDb: false,
      replication: false,
      bypassRls: false,
      connectionLimit: -1,
      memberOf: ['readers'],
    },
  ],
  access: [
    { object: 'table shop.orders', table: 'shop.orders', owner: 'app', grants: ['app SELECT', 'app_reader SELECT'] },
    { object: 'schema shop', table: null, owner: 'app', grants: ['app USAGE'] },
  ],
  rowSecurity: [{ schema: 'shop', table: 'orders', enabled: true, forced: false }],
  policies: [
    { schema: 'shop', table: 'orders', name: 'tenant', command: 'ALL', permissive: true, roles: ['public'], using: '(tenant = 1)', check: null },
  ],
  settings: [{ role: null, database: true, name: 'work_mem', value: '8MB' }],
  partitions: [{ schema: 'audit', name: 'events_2026', parent: 'audit.events', bound: "FOR VALUES FROM ('2026-01-01') TO ('2027-01-01')" }],
};

/** OBJECTS with one section replaced. */
function withObjects(change: Partial<SchemaObjects>): SchemaObjects {
  return { ...OBJECTS, ...change };
}

describe('diffObjects', () => {
  it('finds nothing between a section and itself in another order', () => {
    // Prepare
    const shuffled = withObjects({ extensions: [...OBJECTS.extensions].reverse(), access: [...OBJECTS.access].reverse(), views: [...OBJECTS.views].reverse() });

    // Act / Assess
    expect(diffObjects(OBJECTS, shuffled)).toEqual([]);
    expect(canonicalObjects(shuffled)).toEqual(canonicalObjects(OBJECTS));
  });

  it('names each difference precisely, section by section', () => {
    // Prepare: one change in every section.
    const actual = withObjects({
      routines: [{ ...OBJECTS.routines[0]!, body: 'b2', definition: 'other' }],
      triggers: [{ ...OBJECTS.triggers[0]!, enabled: 'disabled' }],
      views: [{ ...OBJECTS.views[0]!, definition: ' SELECT 3;' }, { ...OBJECTS.views[1]!, populated: false }],
      enums: [{ schema: 'shop', name: 'order_status', labels: ['open', 'paid', 'shipped'] }],
      domains: [{ ...OBJECTS.domains[0]!, constraints: [] }],
      extensions: [{ name: 'citext', version: '1.6', schema: 'public' }],
      roles: [{ ...OBJECTS.roles[0]!, login: false, memberOf: [] }],
      access: [
        { object: 'table shop.orders', table: 'shop.orders', owner: 'intruder', grants: ['intruder SELECT', 'PUBLIC DELETE'] },
        OBJECTS.access[1]!,
      ],
      rowSecurity: [],
      policies: [{ ...OBJECTS.policies[0]!, using: 'true' }],
      settings: [{ role: null, database: true, name: 'work_mem', value: '64MB' }],
      partitions: [],
    });

    // Act
    const lines = diffObjects(OBJECTS, actual);

    // Assess
    expect(lines).toEqual([
      'extension citext: version 1.5 -> 1.6',
      'extension pgcrypto: missing',
      'role app_reader: login true -> false',
      'role app_reader: memberOf readers -> none',
      'enum shop.order_status: labels open,paid,shipped,cancelled -> open,paid,shipped',
      "domain shop.email: constraints email_check: CHECK ((VALUE ~ '@'::text)) -> none",
      'function shop.email_key(text): body changed',
      'view shop.open_orders: definition changed',
      'materialized view shop.order_totals: populated true -> false',
      'trigger shop.orders.orders_audit: enabled origin -> disabled',
      'row level security of shop.orders: missing',
      'policy shop.orders.tenant: using (tenant = 1) -> true',
      'table shop.orders: owner app -> intruder',
      'table shop.orders: grant app_reader SELECT missing',
      'table shop.orders: grant PUBLIC DELETE unexpected',
      'setting work_mem of the database: value 8MB -> 64MB',
      'partition audit.events_2026: missing (detached from audit.events)',
    ]);
  });

  it('names a dropped routine once, though its grants are gone too', () => {
    // Prepare
    const expected = withObjects({
      access: [...OBJECTS.access, { object: 'function shop.email_key(text)', table: null, owner: 'app', grants: ['PUBLIC EXECUTE', 'app EXECUTE'] }],
    });
    const actual = withObjects({ routines: [] });

    // Act / Assess
    expect(diffObjects(expected, actual)).toEqual(['function shop.email_key(text): missing']);
  });

  it('reports an owner change once, not again through the privileges the new owner took over', () => {
    // Prepare: ALTER TABLE … OWNER TO intruder rewrites app's own grants to intruder's.
    const actual = withObjects({
      access: [{ object: 'table shop.orders', table: 'shop.orders', owner: 'intruder', grants: ['intruder SELECT', 'app_reader SELECT'] }, OBJECTS.access[1]!],
    });

    // Act / Assess
    expect(diffObjects(OBJECTS, actual)).toEqual(['table shop.orders: owner app -> intruder']);
  });

  it('says "definition changed" when the body is the same but attributes differ', () => {
    const actual = withObjects({ routines: [{ ...OBJECTS.routines[0]!, definition: 'CREATE FUNCTION … VOLATILE' }] });
    expect(diffObjects(OBJECTS, actual)).toEqual([
      'function shop.email_key(text): definition changed (attributes such as volatility, security, settings or language)',
    ]);
  });

  it('does not list again what belongs to a table reported missing', () => {
    // Prepare: the table, its trigger, grants, RLS and policy are all gone.
    const expected: SchemaDescription = { tables: [ORDERS], objects: OBJECTS };
    const actual: SchemaDescription = {
      tables: [],
      objects: withObjects({ triggers: [], access: [OBJECTS.access[1]!], rowSecurity: [], policies: [] }),
    };

    // Act / Assess
    expect(diffSchemas(expected, actual)).toEqual(['table shop.orders missing']);
  });
});

describe('the object section in manifests', () => {
  const capturedAt = new Date('2026-03-01T12:00:00.000Z');

  it('leaves the fingerprint of a schema without it unchanged, and changes it when present', () => {
    // Prepare
    const tablesOnly: SchemaDescription = { tables: [ORDERS] };

    // Act
    const before = fingerprint(tablesOnly);
    const withSection = fingerprint({ tables: [ORDERS], objects: OBJECTS });

    // Assess: the old canonical form is exactly { tables } (so old manifests keep their fingerprints).
    expect(canonicalSchema(tablesOnly)).toEqual({ tables: [ORDERS] });
    expect(withSection).not.toBe(before);
    expect(fingerprint({ tables: [ORDERS], objects: withObjects({ extensions: [...OBJECTS.extensions].reverse() }) })).toBe(withSection);
  });

  it('round-trips through serialize and parse', () => {
    const manifest = buildManifest({ database: 'shop', capturedAt, schema: { tables: [ORDERS], objects: OBJECTS }, rowCounts: {}, heartbeatLatestAt: null });
    expect(parseManifest(serializeManifest(manifest))).toEqual(manifest);
  });

  it('refuses a malformed section, naming each bad field, and an unknown section format', () => {
    // Prepare
    const manifest = buildManifest({ database: 'shop', capturedAt, schema: { tables: [ORDERS], objects: OBJECTS }, rowCounts: {}, heartbeatLatestAt: null });
    const document = JSON.parse(serializeManifest(manifest)) as { schema: { objects: Record<string, unknown> } };
    const broken = structuredClone(document);
    broken.schema.objects['triggers'] = [{ schema: 'shop', table: 'orders', name: 7, definition: 'x', enabled: 'origin' }];
    delete broken.schema.objects['roles'];
    const future = structuredClone(document);
    future.schema.objects['formatVersion'] = 2;

    // Act / Assess
    expect(() => parseManifest(JSON.stringify(broken))).toThrow(ValidationError);
    try {
      parseManifest(JSON.stringify(broken));
    } catch (error) {
      expect((error as ValidationError).problems).toEqual([
        'manifest.schema.objects.triggers[0].name: must be a string',
        'manifest.schema.objects.roles: must be an array',
      ]);
    }
    expect(() => parseManifest(JSON.stringify(future))).toThrow('manifest.schema.objects.formatVersion: must be 1, got 2');
  });
});

describe('judgeSchema with a manifest that predates the object section', () => {
  const old = buildManifest({ database: 'shop', capturedAt: new Date('2026-03-01T12:00:00.000Z'), schema: { tables: [ORDERS] }, rowCounts: {}, heartbeatLatestAt: null });

  it('passes on equal tables and says what was not compared', () => {
    // Act
    const check = judgeSchema(old, { tables: [ORDERS], objects: OBJECTS });

    // Assess
    const note =
      'the manifest predates the object fingerprint, so routines, triggers, views, enums, domains, extensions, roles, access, rowSecurity, policies, settings, partitions were not compared';
    expect(check.status).toBe('passed');
    expect(check.evidence).toBe(`fingerprint ${old.schemaFingerprint} equals the manifest's (1 table); ${note}`);
    expect(check.details).toEqual([note]);
  });

  it('still fails on a table difference', () => {
    const check = judgeSchema(old, { tables: [], objects: OBJECTS });
    expect(check.status).toBe('failed');
    expect(check.details[0]).toBe('table shop.orders missing');
  });

  it('compares the objects when the manifest has them', () => {
    const current = buildManifest({ database: 'shop', capturedAt: new Date('2026-03-01T12:00:00.000Z'), schema: { tables: [ORDERS], objects: OBJECTS }, rowCounts: {}, heartbeatLatestAt: null });
    const check = judgeSchema(current, { tables: [ORDERS], objects: withObjects({ triggers: [] }) });
    expect(check.status).toBe('failed');
    expect(check.details).toEqual(['trigger shop.orders.orders_audit: missing']);
  });
});
