/**
 * The model of a database as the restore test sees it: its schema and its tables. Imports nothing
 * but the schema-object model, so ports and rules can depend on it without depending on each other.
 */
import type { SchemaObjects } from './schema-objects-model.ts';

/** A column, as PostgreSQL prints it. */
export interface ColumnDescription {
  /** Column name. */
  readonly name: string;
  /** `format_type(atttypid, atttypmod)`, e.g. `numeric(10,2)`, `text[]`, `shop.order_status`. */
  readonly type: string;
  /** False when the column is `NOT NULL`. */
  readonly nullable: boolean;
  /**
   * The default expression (`pg_get_expr`), or null. Identity and stored generated columns carry
   * their `GENERATED …` clause here so they are not mistaken for plain columns.
   */
  readonly default: string | null;
}

/**
 * Kind of a table constraint. NOT NULL is not listed here (PostgreSQL 18 stores it in
 * `pg_constraint`, earlier versions do not): it is the column's `nullable`, so manifests compare
 * across major versions.
 */
export type ConstraintType = 'primary key' | 'foreign key' | 'unique' | 'check' | 'exclusion' | 'trigger';

/** A table constraint. */
export interface ConstraintDescription {
  /** Constraint name (unique per table). */
  readonly name: string;
  /** What kind of constraint it is. */
  readonly type: ConstraintType;
  /** `pg_get_constraintdef`, e.g. `FOREIGN KEY (customer_id) REFERENCES shop.customers(id)`. */
  readonly definition: string;
}

/** An index of a table (including the ones backing primary key and unique constraints). */
export interface IndexDescription {
  /** Index name (unique per schema). */
  readonly name: string;
  /** `pg_get_indexdef`, the full `CREATE INDEX` statement. */
  readonly definition: string;
  /** Access method: `btree`, `gin`, `gist`, `brin`, `hash`, … */
  readonly method: string;
  /** True for unique indexes. */
  readonly unique: boolean;
}

/**
 * What kind of relation a table is. It decides what can be counted: an unlogged table is emptied
 * by crash recovery, which every snapshot restore and PITR goes through, and a partitioned table
 * holds no rows of its own (its partitions are counted).
 */
export type TableKind = 'table' | 'unlogged table' | 'partitioned table';

/** A user table. */
export interface TableDescription {
  /** Schema (namespace) name. */
  readonly schema: string;
  /** Table name. */
  readonly name: string;
  /** What kind of table it is. */
  readonly kind: TableKind;
  /** Columns in ordinal order (dropped columns left out). */
  readonly columns: readonly ColumnDescription[];
  /** Constraints, any order (canonical: by name). */
  readonly constraints: readonly ConstraintDescription[];
  /** Indexes, any order (canonical: by name). */
  readonly indexes: readonly IndexDescription[];
}

/** The user tables of one database (no `pg_catalog`, `information_schema`, TOAST or temp schemas). */
export interface SchemaDescription {
  /** Tables, any order (canonical: by schema, then name). */
  readonly tables: readonly TableDescription[];
  /**
   * Routines, triggers, views, enums, extensions, roles, owners and grants, row level security,
   * settings and partition attachment (see schema-objects-model.ts). Absent from manifests captured
   * before it existed: those are compared on their tables only (see {@link comparableSchema}),
   * and their fingerprints stay what they were.
   */
  readonly objects?: SchemaObjects;
}

/** A table named by schema and name. */
export interface TableRef {
  /** Schema name. */
  readonly schema: string;
  /** Table name. */
  readonly name: string;
}

/** Exact row counts keyed by `schema.table` (see {@link qualifiedName}). */
export type RowCounts = Readonly<Record<string, number>>;
