/**
 * Port: the heartbeat table of one PostgreSQL endpoint, what the writer probe and the replica
 * heartbeat reading need of it.
 *
 * A session is opened per probe rather than kept across Lambda invocations: the probe measures
 * whether a *new* client can connect and write, which a pooled connection would hide, and a
 * connection parked in a frozen Lambda sandbox may be dead by the next invocation.
 */

/** How long the adapter may wait; the probe passes them so the use case owns its time budget. */
export interface SessionTimeouts {
  /** Bounds name resolution, TCP, TLS and authentication together. */
  readonly connectTimeoutMs: number;
  /** Bounds each statement, on the server and on the client (a hung server enforces nothing). */
  readonly statementTimeoutMs: number;
}

/** What a read-only endpoint (a read replica) offers: reading, never writing. */
export interface HeartbeatReadSession {
  /**
   * The newest `written_at` of the heartbeat table as ISO 8601 UTC with microseconds
   * (`2026-11-29T02:00:00.123456Z`), or null when the table does not exist or is empty.
   */
  newest(): Promise<string | null>;
  /** Closes the connection; never throws, and never waits on an unresponsive server. */
  close(): Promise<void>;
}

/** What the writer offers on top of reading. */
export interface HeartbeatSession extends HeartbeatReadSession {
  /**
   * Creates the heartbeat schema, table and index when the table is missing. Returns true when
   * this call created it, false when it was already there (or a concurrent probe created it first).
   */
  ensureTable(): Promise<boolean>;
  /**
   * Inserts one heartbeat row and commits it; returns the row's `written_at`, the server's `now()`,
   * in the format of {@link HeartbeatReadSession.newest}.
   *
   * @param writer who wrote it (the probe's identity), stored with the row for later forensics
   */
  write(writer: string): Promise<string>;
  /**
   * Deletes at most `maxRows` of the oldest rows written more than `retentionSeconds` ago (by the
   * server's clock), and returns how many it deleted. Bounded so a large backlog is worked off a
   * batch per probe instead of one long delete on the production writer.
   */
  prune(retentionSeconds: number, maxRows: number): Promise<number>;
}

/** Opens sessions to one database endpoint (the writer, or a replica). */
export interface HeartbeatStore {
  /** Opens a session that may write. Rejects (typed, e.g. SqlConnectionError) when it cannot. */
  open(timeouts: SessionTimeouts): Promise<HeartbeatSession>;
  /** Opens a session for reading only, as a read replica allows nothing else. */
  openReadOnly(timeouts: SessionTimeouts): Promise<HeartbeatReadSession>;
}
