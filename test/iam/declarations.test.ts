/**
 * Every AWS SDK command an adapter sends has a declaration of its authorizations in the
 * adapter's sibling `*.permissions.ts`: adding an SDK call without declaring it fails here.
 * And no runtime file imports a declaration (the bundles stay as they are).
 */
import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const ADAPTERS = `${ROOT}functions/adapters/`;

function files(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? files(`${dir}${e.name}/`) : [`${dir}${e.name}`]));
}

/** SDK command classes an adapter imports from @aws-sdk/client-*, and paginators (by the command they send). */
function sdkCommands(source: string): string[] {
  const out = new Set<string>();
  for (const m of source.matchAll(/import\s*\{([^}]*)\}\s*from\s*'@aws-sdk\/client-[a-z0-9-]+'/g)) {
    for (const raw of (m[1] ?? '').split(',')) {
      const name = raw.trim();
      if (name.startsWith('type ') || name === '') continue;
      if (/^[A-Z][A-Za-z0-9]*Command$/.test(name)) out.add(name);
      const paginator = /^paginate([A-Z][A-Za-z0-9]*)$/.exec(name);
      if (paginator) out.add(`${paginator[1]}Command`);
    }
  }
  return [...out].sort();
}

const adapters = files(ADAPTERS).filter((f) => f.endsWith('.ts') && !f.endsWith('.permissions.ts'));

describe('adapter permission declarations', () => {
  it('finds the adapters that call AWS', () => {
    const calling = adapters.filter((f) => sdkCommands(readFileSync(f, 'utf8')).length > 0).map((f) => f.slice(ADAPTERS.length));
    expect(calling).toContain('rds/instance-control-plane.ts');
    expect(calling).toContain('rds/cluster-control-plane.ts');
    expect(calling).toContain('rds/instance-restores.ts');
    expect(calling).toContain('rds/cluster-restores.ts');
    expect(calling.length).toBeGreaterThanOrEqual(10);
  });

  it.each(adapters.map((f) => f.slice(ADAPTERS.length)))('%s: every SDK command it sends is declared in its *.permissions.ts', (file) => {
    const commands = sdkCommands(readFileSync(`${ADAPTERS}${file}`, 'utf8'));
    if (commands.length === 0) return;
    const sibling = `${ADAPTERS}${file.replace(/\.ts$/, '.permissions.ts')}`;
    const declarations = readFileSync(sibling, 'utf8');
    // A declaration names its command literally (`command: 'XCommand'`) or by its action name
    // built into `${name}Command` (RDS and DynamoDB helpers): accept either spelling.
    const undeclared = commands.filter((c) => !declarations.includes(`'${c}'`) && !declarations.includes(`'${c.replace(/Command$/, '')}'`));
    expect(undeclared).toEqual([]);
  });

  it('no runtime code imports a declaration', () => {
    const runtime = files(`${ROOT}functions/`).filter((f) => f.endsWith('.ts') && !f.endsWith('.permissions.ts'));
    const importing = runtime.filter((f) => /from '[^']*\.permissions\.ts'/.test(readFileSync(f, 'utf8'))).map((f) => f.slice(ROOT.length));
    expect(importing).toEqual([]);
  });
});
