import { check, pipe, string, transform } from 'valibot';
import { parseOffsitePaths } from '../../domain/rpo/objectives.ts';
import type { OffsitePaths, RecoveryObjectives } from '../../domain/rpo/objectives.ts';
import { envContract, json, noneOr, text } from '../env-schema.ts';
import { objectivesProblems } from '../objectives.ts';
import { topology } from './common.ts';

/** The offsite paths, as `none` or a comma-separated list. */
const offsitePaths = () =>
  pipe(
    string(),
    check((value) => typeof parseOffsitePaths(value) !== 'string', (issue) => parseOffsitePaths(issue.input as string) as string),
    transform((value) => parseOffsitePaths(value) as OffsitePaths),
  );

/** The rpo-monitor λ: publishes RPO per failure mode. */
export const RPO_MONITOR_ENV = envContract({
  fields: {
    AWS_REGION: text(),
    DATABASE_ID: text(),
    TOPOLOGY: topology(),
    DR_REGION: noneOr(text()),
    OFFSITE_PATHS: offsitePaths(),
    OBJECTIVES: json<RecoveryObjectives>(objectivesProblems),
  },
  checks: [
    'AWS_REGION',
    'DATABASE_ID',
    'TOPOLOGY',
    'DR_REGION',
    'OFFSITE_PATHS',
    {
      uses: ['DR_REGION', 'OFFSITE_PATHS'],
      check: (v) =>
        (v.OFFSITE_PATHS.backupReplication || v.OFFSITE_PATHS.snapshotCopy) && v.DR_REGION === null
          ? ['DR_REGION: required (not none) with backup-replication or snapshot-copy in OFFSITE_PATHS']
          : [],
    },
    'OBJECTIVES',
  ],
});
