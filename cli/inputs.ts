/**
 * What the operator CLI accepts, as schemas of the house wrapper (functions/contracts/schema.ts),
 * built from the shapes the functions themselves use: the snapshot id pattern and the tiers
 * (domain/snapshots/naming.ts), the failover modes (domain/failover). `dr.ts` splits the command
 * line into options (`--name value`, `--name=value`, flags); these schemas judge the values, each
 * problem one `--option: message` line.
 */
import { check, optional, pipe, rawCheck, string, transform } from 'valibot';
import { fields, oneOf, problemsOf, say, text, yesNo, type Place, type Schema } from '../functions/contracts/schema.ts';
import { FAILOVER_MODES, type FailoverMode } from '../functions/domain/failover/model.ts';
import { NEW_DB_ID, SNAPSHOT_ID, TIERS, type Tier } from '../functions/domain/snapshots/naming.ts';

/** The options as the command line gave them: the value of each, `true` for a flag. */
export type Options = Readonly<Record<string, string | true>>;

/** Where an option's problem is reported: `--tier: …`. */
const OPTIONS: Place = { label: 'options', prefix: '--' };

/** Every problem of `options` against `schema`, one `--option: message` line each. */
export function optionProblems(schema: Schema<unknown>, options: Readonly<Record<string, unknown>>): string[] {
  return problemsOf(schema, options, OPTIONS);
}

/** A full ISO-8601 date-time with a zone: a time without one would be read in the operator's local zone. */
const ISO_WITH_ZONE = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(?::\d{2}(?:\.\d{1,9})?)?(?:Z|[+-]\d{2}:\d{2})$/;
const REGION = /^[a-z]{2}(?:-[a-z]+)+-\d$/;
const ACCOUNT = /^\d{12}$/;
/** A state machine ARN; groups: region, name. */
export const STATE_MACHINE_ARN = /^arn:aws[a-z-]*:states:([a-z]{2}(?:-[a-z]+)+-\d):\d{12}:stateMachine:([A-Za-z0-9_-]{1,80})$/;
/** The longest wait a command accepts (`--timeout-minutes`): the longest state machine timeout. */
export const MAX_TIMEOUT_MINUTES = 1440;

/** `--db`: the database whose machines are started. */
export const DB = fields({
  db: optional(text(NEW_DB_ID, 'a DB identifier (lower-case letters, digits, single hyphens, starting with a letter)'), 'swifteats'),
});

/** `--timeout-minutes`: the wait bound, when given. */
export const TIMEOUT = fields({
  'timeout-minutes': optional(
    pipe(
      string(say(`a whole number of minutes from 1 to ${MAX_TIMEOUT_MINUTES}`)),
      check((value) => /^\d+$/.test(value) && Number(value) >= 1 && Number(value) <= MAX_TIMEOUT_MINUTES, say(`a whole number of minutes from 1 to ${MAX_TIMEOUT_MINUTES}`)),
      transform(Number),
    ),
  ),
});

/** `--region` and `--account` (each may come from the environment instead). */
export const LOCATION = fields({
  region: text(REGION, 'a region name (e.g. eu-west-1)', say('a region name (e.g. eu-west-1)', 'required (or AWS_REGION), the region of the state machine, e.g. eu-west-1')),
  account: text(ACCOUNT, 'a 12-digit account id', say('a 12-digit account id', 'required (or AWS_ACCOUNT_ID, or --state-machine-arn), the 12-digit account id')),
});

/** `--state-machine-arn`. */
export const ARN = fields({
  'state-machine-arn': text(STATE_MACHINE_ARN, 'a state machine ARN (arn:aws:states:<region>:<account>:stateMachine:<name>)'),
});

/** `backup [--tier]`: the execution input `{ tier? }`. */
const backup = pipe(
  fields({ tier: optional(oneOf(TIERS)) }),
  transform(({ tier }): { tier?: Tier } => (tier === undefined ? {} : { tier })),
);

/** `verify [--snapshot]`: the execution input `{ snapshotId? }`. */
const verify = pipe(
  fields({ snapshot: optional(text(SNAPSHOT_ID, 'a snapshot id (lower-case letters, digits, hyphens, starting with a letter)')) }),
  transform(({ snapshot }): { snapshotId?: string } => (snapshot === undefined ? {} : { snapshotId: snapshot })),
);

/** `pitr --time --name`: the execution input `{ targetTime, name }`; the new name starts with `<db>-`. */
function pitr(db: string) {
  const time = say('latest or an ISO-8601 time with a zone (2026-11-29T14:02:00Z)', 'required, an ISO-8601 time with a zone (2026-11-29T14:02:00Z) or latest');
  const name = say('a DB identifier (1-63 lower-case letters, digits, single hyphens, starting with a letter)', `required, a new DB identifier starting with "${db}-"`);
  return pipe(
    fields({
      time: pipe(string(time), check((value) => value === 'latest' || (ISO_WITH_ZONE.test(value) && !Number.isNaN(Date.parse(value))), time)),
      name: pipe(
        string(name),
        check((value) => NEW_DB_ID.test(value), name),
        check((value) => !NEW_DB_ID.test(value) || value.startsWith(`${db}-`), `must start with "${db}-" (a restore never replaces ${db})`),
      ),
    }),
    transform(({ time: targetTime, name: target }) => ({ targetTime, name: target })),
  );
}

/** `failover --mode --reason [--dry-run] [--force]`: the execution input `{ mode, reason, dryRun, force }`. */
const failover = pipe(
  fields({
    mode: oneOf(FAILOVER_MODES),
    reason: pipe(
      string('required, free text kept in the audit record and the notification'),
      check((value) => value.trim() !== '', 'required, free text kept in the audit record and the notification'),
    ),
    'dry-run': optional(yesNo()),
    force: optional(yesNo()),
  }),
  rawCheck(({ dataset, addIssue }) => {
    // Whatever else is wrong: observe only watches, so forcing it is a mistake of its own.
    const given = dataset.value as Options;
    if (given.mode === 'observe' && given.force === true) {
      addIssue({ message: 'only for modes az and region; observe never acts', path: [{ type: 'object', origin: 'value', input: given, key: 'force', value: true }] });
    }
  }),
  transform((value) => ({ mode: value.mode as FailoverMode, reason: value.reason, dryRun: value['dry-run'] === true, force: value.force === true })),
);

/** The options schema of each command, which also shapes its execution input. */
export function commandOptions(command: 'backup' | 'verify' | 'pitr' | 'failover', db: string): Schema<Record<string, unknown>> {
  switch (command) {
    case 'backup':
      return backup;
    case 'verify':
      return verify;
    case 'pitr':
      return pitr(db);
    case 'failover':
      return failover;
  }
}
