/**
 * What the RPO monitor reads, each source on its own: a failed read leaves its source unread (named,
 * with the error) and the others measured; a database RDS does not find is observed as gone.
 */
import { REPLICA_HEARTBEAT_MAX_AGE_SECONDS, type DatabaseObservation, type RpoObservations, type ReplicaHeartbeatReading } from '../../domain/rpo/objectives.ts';
import type { Snapshot } from '../../ports/database-control-plane.ts';
import type { MetricSource } from '../../ports/metric-source.ts';
import { DatabaseNotFoundError } from '../../shared/errors.ts';
import type { RpoMonitorConfig, RpoMonitorDeps, UnreadSource } from './config.ts';

/**
 * Reads in parallel: the database; its manual snapshots here and (with snapshot copies) in the DR
 * region; the replica heartbeat age (with a replica); then, once the database's ARN is known, the
 * backups replicated into the DR region (with backup replication).
 */
export async function readSources(deps: RpoMonitorDeps, cfg: RpoMonitorConfig, now: Date): Promise<{ observations: RpoObservations; unread: UnreadSource[] }> {
  const unread: UnreadSource[] = [];
  const read = async <T>(source: UnreadSource['source'], fn: () => Promise<T>): Promise<{ source: UnreadSource['source']; value: T } | { source: UnreadSource['source']; error: unknown }> => {
    try {
      return { source, value: await fn() };
    } catch (error) {
      return { source, error };
    }
  };

  const databaseRead = read('database', async (): Promise<DatabaseObservation> => {
    try {
      return { kind: 'found', state: await deps.primary.describeDatabase(cfg.databaseId) };
    } catch (error) {
      if (error instanceof DatabaseNotFoundError) return { kind: 'not-found' };
      throw error;
    }
  });
  const dr = deps.dr;
  const [database, primarySnapshots, offsiteSnapshots, replicaHeartbeat, replicatedBackups] = await Promise.all([
    databaseRead,
    read('primary-snapshots', () => deps.primary.listManualSnapshots(cfg.databaseId)),
    cfg.paths.snapshotCopy && dr !== null ? read('offsite-snapshots', () => dr.listManualSnapshots(cfg.databaseId)) : null,
    cfg.paths.readReplica && deps.metricSource !== null ? read('replica-heartbeat', () => readReplicaHeartbeat(deps.metricSource as MetricSource, now)) : null,
    cfg.paths.backupReplication && dr !== null
      ? databaseRead.then((db) => {
          // The replicated backups are found by the source's ARN, which only DescribeDB* gives.
          const found = 'value' in db && db.value.kind === 'found' ? db.value.state : null;
          return found === null ? null : read('replicated-backups', () => dr.replicatedBackupRestorableTime(found.arn));
        })
      : null,
  ]);

  const valueOf = <T>(result: { value: T } | { source: UnreadSource['source']; error: unknown } | null): T | null => {
    if (result === null) return null;
    if ('value' in result) return result.value;
    const error = result.error instanceof Error ? result.error : new Error(String(result.error));
    unread.push({ source: result.source, error: { name: error.name, message: error.message } });
    return null;
  };
  const observations = {
    now,
    database: valueOf<DatabaseObservation>(database) ?? ({ kind: 'unread' } as const),
    primarySnapshots: valueOf<Snapshot[]>(primarySnapshots),
    offsiteSnapshots: valueOf<Snapshot[]>(offsiteSnapshots),
    replicaHeartbeat: valueOf<ReplicaHeartbeatReading | null>(replicaHeartbeat),
    replicatedBackupLatest: valueOf<Date | null>(replicatedBackups),
  };
  return { observations, unread };
}

/** The newest replica heartbeat age the probe published in the last few minutes. */
async function readReplicaHeartbeat(source: MetricSource, now: Date): Promise<ReplicaHeartbeatReading | null> {
  const reading = await source.newest('ReplicaHeartbeatAgeSeconds', new Date(now.getTime() - REPLICA_HEARTBEAT_MAX_AGE_SECONDS * 1000), now);
  return reading === null ? null : { ageSeconds: reading.value, at: reading.at };
}
