import { readdirSync } from 'node:fs';
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
});
