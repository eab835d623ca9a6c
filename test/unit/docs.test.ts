import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { defaultConfig } from '../../infra/config/defaults.ts';
import { readDoc } from '../support/docs.ts';

const DOCS = ['README.md', ...readdirSync(fileURLToPath(new URL('../../docs/', import.meta.url))).filter((f) => f.endsWith('.md')).map((f) => `docs/${f}`)];

/** The lines of a Markdown file outside fenced code blocks, with their numbers. */
function proseLines(text: string): { n: number; line: string }[] {
  let fenced = false;
  const out: { n: number; line: string }[] = [];
  text.split('\n').forEach((line, i) => {
    if (/^\s*```/.test(line)) fenced = !fenced;
    else if (!fenced) out.push({ n: i + 1, line });
  });
  return out;
}

describe('the docs', () => {
  it.each(DOCS)('%s: no JMESPath literal (`...`) inside inline code, where Markdown would end the span', (doc) => {
    const broken = proseLines(readDoc(doc)).filter(({ line }) => /==`|\[\?[^\]]*`/.test(line));
    expect(broken).toEqual([]);
  });

  it.each(DOCS)('%s: cites no DESIGN document (the repository holds none)', (doc) => {
    expect(readDoc(doc)).not.toMatch(/DESIGN/);
  });

  it('no source file cites a DESIGN document either', () => {
    const self = 'test/unit/docs.test.ts';
    const sources = ['infra', 'functions', 'cli', 'statemachines', 'test', 'bench'].flatMap((dir) =>
      (readdirSync(fileURLToPath(new URL(`../../${dir}/`, import.meta.url)), { recursive: true }) as string[])
        .filter((f) => /\.(ts|json)$/.test(f))
        .map((f) => `${dir}/${f}`),
    );
    expect(sources.length).toBeGreaterThan(50);
    expect(sources.filter((f) => f !== self && /DESIGN/.test(readDoc(f)))).toEqual([]);
  });

  it('state the dr.region default that infra/config/defaults.ts applies, for both cases', () => {
    const usual = defaultConfig('eu-west-1').dr.region;
    const other = defaultConfig('eu-central-1').dr.region;
    expect([usual, other]).toEqual(['eu-central-1', 'eu-west-1']);
    expect(readDoc('docs/configuration.md')).toContain(`| \`dr.region\` | \`${usual}\` (\`${other}\` when \`region\` is \`${usual}\`) |`);
  });

  it('the runbook restarts backup replication with the DR key ARN, never an alias (RDS takes only the ARN there)', () => {
    const runbook = readDoc('docs/runbook.md');
    const calls = runbook.split('\n').filter((l) => l.includes('start-db-instance-automated-backups-replication')).map((l, i, all) => l + (all[i + 1] ?? ''));
    expect(calls.length).toBeGreaterThan(0);
    expect(runbook).not.toMatch(/automated-backups-replication[^\n]*(\\\n[^\n]*)*--kms-key-id alias\//);
    expect(runbook).toContain('aws kms describe-key --region eu-central-1 --key-id alias/swifteats-dr --query KeyMetadata.Arn');
  });
});

describe('docs/architecture.md: the map of the code', () => {
  const ROOT = fileURLToPath(new URL('../..', import.meta.url));
  const section = (() => {
    const text = readDoc('docs/architecture.md');
    const start = text.indexOf('## The code');
    return text.slice(start, text.indexOf('\n## ', start + 1));
  })();

  it('names only files and folders that exist', () => {
    const paths = [...section.matchAll(/`((?:functions|infra|test|statemachines)\/[^`*<]+?)`/g)].map((m) => m[1]!);
    expect(paths.length).toBeGreaterThan(20);
    expect(paths.filter((path) => !existsSync(`${ROOT}${path.replace(/\/$/, '')}`))).toEqual([]);
  });

  it('names every domain capability folder', () => {
    const capabilities = readdirSync(`${ROOT}functions/domain`, { withFileTypes: true }).filter((e) => e.isDirectory()).map((e) => e.name);
    expect(capabilities.filter((name) => !section.includes(name))).toEqual([]);
    // No flat domain files are left: each belongs to a capability.
    expect(readdirSync(`${ROOT}functions/domain`).filter((name) => name.endsWith('.ts'))).toEqual([]);
  });

  it('keeps every handler file at 150 lines or fewer (multi-action functions are folders)', () => {
    const files = readdirSync(`${ROOT}functions/handlers`, { recursive: true, encoding: 'utf8' }).filter((f) => f.endsWith('.ts'));
    expect(files.length).toBeGreaterThan(15);
    const long = files.map((f) => [f, readFileSync(`${ROOT}functions/handlers/${f}`, 'utf8').split('\n').length - 1] as const).filter(([, n]) => n > 150);
    expect(long).toEqual([]);
  });
});
