/**
 * `npm run dr -- ledger <action>`: installs, removes, compacts or shows the row-count ledger of the
 * exact mode (docs/restore.md, "Exact mode"), on the database the operator names. Run by a person
 * with the tables' owner rights, never by a DR function: the DR functions only read the ledger.
 *
 * 1. Parse the arguments; read the configuration file (`--config`, default `infra/config/swifteats.json`).
 * 2. Refuse any table `restoreTest.exactCounts.tables` does not list (install never goes further).
 * 3. `--dry-run`: print the SQL script (one transaction; psql can run it) and stop.
 * 4. Otherwise connect with `--url` or the libpq environment (`PGHOST`, `PGUSER`, …; the password
 *    from `PGPASSWORD` or `~/.pgpass`, never an argument) and run it in one transaction.
 *
 * Exit codes: 0 done, 1 the database refused (nothing changed), 2 bad usage or configuration.
 */
import { Client } from 'pg';
import { compactLedger, installStatements, observeLedger, requireConfigured, runInTransaction, script, uninstallStatements } from '../functions/adapters/pg/ledger.ts';
import { exactCountTableProblems, judgeExactCounts } from '../functions/domain/verification/exact-counts.ts';
import { ConfigurationError, DrError } from '../functions/shared/errors.ts';
import { ConfigError, loadConfigFile } from '../infra/config/load.ts';

/** The actions of `dr ledger`. */
export const LEDGER_ACTIONS = ['install', 'uninstall', 'status', 'compact'] as const;

/** Usage of `dr ledger`, printed after bad usage. */
export const LEDGER_USAGE = [
  'usage: npm run dr -- ledger install|uninstall|status|compact [--tables schema.t1,schema.t2] [--dry-run]',
  '       [--config infra/config/swifteats.json] [--url postgresql://owner@host/db] [--drop-schema]',
  '  tables default to restoreTest.exactCounts.tables; any other table is refused',
].join('\n');

/** What `dr ledger` writes to and connects with; tests replace it. */
export interface LedgerDeps {
  readonly output: { out(line: string): void; err(line: string): void };
  /** Opens a connection (`--url`, or the libpq environment when undefined). */
  readonly connect: (url: string | undefined) => Promise<Pick<Client, 'query' | 'end'>>;
}

/** Default {@link LedgerDeps.connect}: `pg` reads PGHOST, PGUSER, PGPASSWORD… itself. */
export async function connectPg(url: string | undefined): Promise<Pick<Client, 'query' | 'end'>> {
  const client = new Client(url === undefined ? {} : { connectionString: url });
  await client.connect();
  return client;
}

interface LedgerArgs {
  readonly action: (typeof LEDGER_ACTIONS)[number];
  readonly tables: readonly string[] | null;
  readonly dryRun: boolean;
  readonly dropSchema: boolean;
  readonly config: string;
  readonly url: string | undefined;
}

function parseArgs(argv: readonly string[]): LedgerArgs | string[] {
  const [action, ...rest] = argv;
  const problems: string[] = [];
  if (action === undefined || !(LEDGER_ACTIONS as readonly string[]).includes(action)) problems.push(`an action is required: ${LEDGER_ACTIONS.join(', ')}`);
  let tables: string[] | null = null;
  let dryRun = false;
  let dropSchema = false;
  let config = 'infra/config/swifteats.json';
  let url: string | undefined;
  for (let index = 0; index < rest.length; index += 1) {
    const arg = rest[index] as string;
    const value = (): string => {
      const next = rest[index + 1];
      index += 1;
      if (next === undefined || next.startsWith('--')) {
        problems.push(`${arg} needs a value`);
        return '';
      }
      return next;
    };
    if (arg === '--dry-run') dryRun = true;
    else if (arg === '--drop-schema') dropSchema = true;
    else if (arg === '--tables') tables = value().split(',').filter((table) => table !== '');
    else if (arg === '--config') config = value();
    else if (arg === '--url') url = value();
    else problems.push(`unknown option ${arg}`);
  }
  if (tables !== null) problems.push(...exactCountTableProblems(tables, '--tables'));
  if (problems.length > 0) return problems;
  return { action: action as LedgerArgs['action'], tables, dryRun, dropSchema, config, url };
}

/**
 * Runs `dr ledger …` and returns its exit code.
 *
 * @param argv the arguments after `ledger`
 */
export async function runLedger(argv: readonly string[], deps: LedgerDeps): Promise<number> {
  const { output } = deps;
  const args = parseArgs(argv);
  if (Array.isArray(args)) {
    for (const problem of args) output.err(`dr ledger: ${problem}`);
    output.err(LEDGER_USAGE);
    return 2;
  }
  let configured: readonly string[];
  try {
    configured = loadConfigFile(args.config).restoreTest.exactCounts.tables;
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    output.err(`dr ledger: ${error.message}`);
    return 2;
  }
  const tables = args.tables ?? configured;
  let statements: string[] | null = null;
  try {
    if (args.action === 'install') {
      requireConfigured(tables, configured);
      statements = installStatements(tables);
    } else if (args.action === 'uninstall') {
      // Removing is always allowed, also for a table no longer configured.
      statements = uninstallStatements(tables, args.dropSchema);
    }
  } catch (error) {
    if (!(error instanceof ConfigurationError)) throw error;
    output.err(`dr ledger: ${error.message}`);
    return 2;
  }
  if (args.dryRun) {
    if (statements === null) {
      output.err(`dr ledger: --dry-run applies to install and uninstall only, not to ${args.action} (status only reads; compact folds rows)`);
      return 2;
    }
    output.out(script(statements));
    return 0;
  }
  let client: Pick<Client, 'query' | 'end'>;
  try {
    client = await deps.connect(args.url);
  } catch (error) {
    output.err(`dr ledger: cannot connect: ${(error as Error).message}`);
    return 1;
  }
  try {
    if (statements !== null) {
      await runInTransaction(client, statements, `${args.action}ing the row-count ledger`);
      output.out(`${args.action}ed on ${tables.join(', ')}${args.dropSchema ? ' (schema dropped)' : ''}`);
    }
    if (args.action === 'compact') output.out(`compacted: ${await compactLedger(client)} base row(s) written`);
    if (args.action === 'status' || args.action === 'install') {
      const judged = judgeExactCounts(tables, await observeLedger(client, tables), null);
      for (const table of judged.tables) output.out(`${table.table}: ${table.status}: ${table.detail}`);
      return judged.status === 'passed' ? 0 : 1;
    }
    return 0;
  } catch (error) {
    if (!(error instanceof DrError)) throw error;
    output.err(`dr ledger: ${error.message}`);
    return 1;
  } finally {
    await client.end();
  }
}
