/**
 * Port: where applications find the writer. Two places, both switched by a failover:
 * - a DNS name in a private hosted zone (a CNAME with a short TTL) that applications connect to;
 * - a "connection" secret holding host, port and database name for applications that read their
 *   connection settings rather than resolve a fixed name. Never the RDS-managed master secret: RDS
 *   owns and rotates that one (docs/decisions.md).
 *
 * Implementations throw ThrottledError (safe to retry) and EndpointSwitchError when the change is
 * refused.
 */

/** The writer record as the DNS service holds it. */
export interface WriterRecord {
  /** Fully qualified name, lower case, with the trailing dot (`writer.swifteats.dr.internal.`). */
  readonly name: string;
  /** The CNAME's target. */
  readonly value: string;
  readonly ttlSeconds: number;
}

/** Status of a submitted DNS change. */
export type ChangeStatus = 'PENDING' | 'INSYNC';

/** The writer's DNS record. */
export interface WriterDns {
  /** The record, or null when it does not exist. */
  read(): Promise<WriterRecord | null>;
  /** Creates or replaces the record (UPSERT); returns the change's id to follow with {@link WriterDns.changeStatus}. */
  upsert(value: string, ttlSeconds: number, comment: string): Promise<string>;
  /** PENDING until the change has reached every authoritative name server, then INSYNC. */
  changeStatus(changeId: string): Promise<ChangeStatus>;
}

/** The connection settings of the connection secret (other fields are kept as they are). */
export interface ConnectionSettings {
  readonly host: string;
  readonly port: number;
}

/** The connection secret. */
export interface ConnectionSecret {
  /** Its current host and port, or null when it holds no host. */
  read(): Promise<ConnectionSettings | null>;
  /**
   * Writes a new version with this host and port, keeping its other fields. `token` makes it
   * idempotent: a retry with the same token and value changes nothing.
   */
  write(settings: ConnectionSettings, token: string): Promise<void>;
}
