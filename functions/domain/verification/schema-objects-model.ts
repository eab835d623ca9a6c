/**
 * The non-table part of a schema description: what a DBA would miss after a restore that the
 * tables, columns, constraints and indexes do not show. Routines and their bodies, triggers and
 * whether they fire, views and materialized views (with whether they are populated), enum labels,
 * extensions and their versions, the roles the database's objects name, owners and grants, row
 * level security and its policies, the database's settings, and partition attachment.
 *
 * It is an optional section of `SchemaDescription` (`objects`, model.ts) with a format version of
 * its own: a manifest captured before it existed has no `objects` and is compared on its tables
 * only (see `comparableSchema` in manifest.ts). This is its model: types and constants, importing
 * nothing. Its canonical form, comparison and shape check are in `schema-objects.ts`; the catalog
 * reading lives in `functions/adapters/pg/schema-objects.ts`.
 *
 * Canonical form: every list sorted by its key (code-unit order, never locale), the order inside
 * an enum's labels and a policy's roles as given (labels: their sort order is observable;
 * policy roles: sorted by the adapter).
 */

/** The current {@link SchemaObjects.formatVersion}. */
export const SCHEMA_OBJECTS_FORMAT_VERSION = 1;

/** Kind of a routine (`pg_proc.prokind`). */
export type RoutineKind = 'function' | 'procedure' | 'aggregate' | 'window function';

/** A function, procedure or aggregate that no extension owns. */
export interface RoutineDescription {
  readonly schema: string;
  readonly name: string;
  /** `pg_get_function_identity_arguments`, e.g. `text, integer`: overloads differ here. */
  readonly arguments: string;
  readonly kind: RoutineKind;
  /** SHA-256 (hex) of the body (`prosrc`, or the SQL-standard body): "body changed" when it differs. */
  readonly body: string;
  /**
   * `pg_get_functiondef` (for an aggregate, its transition and final functions): catches what the
   * body does not, such as volatility, `SECURITY DEFINER`, `SET search_path`, the language.
   */
  readonly definition: string;
}

/** When a trigger fires (`pg_trigger.tgenabled`). */
export type TriggerEnabled = 'origin' | 'disabled' | 'replica' | 'always';

/** A user trigger of a table (internal ones, e.g. those behind foreign keys, are constraints). */
export interface TriggerDescription {
  readonly schema: string;
  readonly table: string;
  readonly name: string;
  /** `pg_get_triggerdef`. */
  readonly definition: string;
  readonly enabled: TriggerEnabled;
}

/** A view or a materialized view. */
export interface ViewDescription {
  readonly schema: string;
  readonly name: string;
  readonly materialized: boolean;
  /** `pg_get_viewdef`. */
  readonly definition: string;
  /** `relispopulated` of a materialized view (null for a view): an unpopulated one cannot be read. */
  readonly populated: boolean | null;
}

/** An enum type with its labels in sort order. */
export interface EnumDescription {
  readonly schema: string;
  readonly name: string;
  readonly labels: readonly string[];
}

/** A domain: its base type, NOT NULL, default and CHECK constraints. */
export interface DomainDescription {
  readonly schema: string;
  readonly name: string;
  /** `format_type` of the base type, e.g. `text`, `numeric(10,2)`. */
  readonly type: string;
  readonly notNull: boolean;
  readonly default: string | null;
  /** `name: pg_get_constraintdef`, sorted. */
  readonly constraints: readonly string[];
}

/** An installed extension. */
export interface ExtensionDescription {
  readonly name: string;
  readonly version: string;
  readonly schema: string;
}

/**
 * A role the database's objects name (as owner, grantee, policy role or setting role). Superusers
 * and the platform's roles are left out (see the adapter). Passwords are never read.
 */
export interface RoleDescription {
  readonly name: string;
  readonly login: boolean;
  readonly inherit: boolean;
  readonly createRole: boolean;
  readonly createDb: boolean;
  readonly replication: boolean;
  readonly bypassRls: boolean;
  /** -1 for no limit. */
  readonly connectionLimit: number;
  /** Roles it is a member of, sorted. */
  readonly memberOf: readonly string[];
}

/**
 * Owner and privileges of one object. `object` names it the way messages do: `schema shop`,
 * `table shop.orders`, `view …`, `materialized view …`, `sequence …`, `function shop.f(text)`,
 * `type shop.order_status`, `column shop.orders.note` (columns only when they carry grants).
 */
export interface AccessDescription {
  readonly object: string;
  /**
   * `schema.name` of the table the object belongs to (the table itself, its columns, a sequence it
   * owns), else null: a missing table is reported once, not again through its grants.
   */
  readonly table: string | null;
  /** Owner role, null for a column (its table's owner is recorded). */
  readonly owner: string | null;
  /**
   * Effective grants, sorted: `grantee PRIVILEGE` or `grantee PRIVILEGE WITH GRANT OPTION`,
   * `PUBLIC` for everyone. An object never granted on lists its owner's default privileges
   * (`acldefault`), so granting something later does not make every default look new.
   */
  readonly grants: readonly string[];
}

/** Row level security of a table where it is enabled or forced. */
export interface RowSecurityDescription {
  readonly schema: string;
  readonly table: string;
  readonly enabled: boolean;
  readonly forced: boolean;
}

/** A row level security policy. */
export interface PolicyDescription {
  readonly schema: string;
  readonly table: string;
  readonly name: string;
  /** `ALL`, `SELECT`, `INSERT`, `UPDATE`, `DELETE`. */
  readonly command: string;
  readonly permissive: boolean;
  /** Role names, sorted (`public` for everyone). */
  readonly roles: readonly string[];
  readonly using: string | null;
  readonly check: string | null;
}

/** A setting of this database (`ALTER DATABASE … SET`), optionally for one role (`ALTER ROLE … IN DATABASE … SET`), or of a listed role. */
export interface SettingDescription {
  /** The role it applies to, null for every role. */
  readonly role: string | null;
  /** True for `ALTER DATABASE`/`ALTER ROLE … IN DATABASE`, false for a role-wide `ALTER ROLE … SET`. */
  readonly database: boolean;
  readonly name: string;
  readonly value: string;
}

/** A partition attached to its parent. */
export interface PartitionDescription {
  readonly schema: string;
  readonly name: string;
  /** `schema.name` of the parent. */
  readonly parent: string;
  /** `pg_get_expr(relpartbound)`, e.g. `FOR VALUES FROM ('2026-01-01') TO ('2027-01-01')`. */
  readonly bound: string;
}

/** Everything but the tables. */
export interface SchemaObjects {
  /** Format of this section; a manifest holding an older one is compared on what it holds. */
  readonly formatVersion: 1;
  readonly routines: readonly RoutineDescription[];
  readonly triggers: readonly TriggerDescription[];
  readonly views: readonly ViewDescription[];
  readonly enums: readonly EnumDescription[];
  readonly domains: readonly DomainDescription[];
  readonly extensions: readonly ExtensionDescription[];
  readonly roles: readonly RoleDescription[];
  readonly access: readonly AccessDescription[];
  readonly rowSecurity: readonly RowSecurityDescription[];
  readonly policies: readonly PolicyDescription[];
  readonly settings: readonly SettingDescription[];
  readonly partitions: readonly PartitionDescription[];
}

/** What each section of {@link SchemaObjects} says, for reports of a comparison that left them out. */
export const SCHEMA_OBJECT_SECTIONS = [
  'routines',
  'triggers',
  'views',
  'enums',
  'domains',
  'extensions',
  'roles',
  'access',
  'rowSecurity',
  'policies',
  'settings',
  'partitions',
] as const;
