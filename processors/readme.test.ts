import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { expect, test } from 'vitest';
import { renderProcessorsSection, withProcessorsSection } from '../scripts/processors-doc';
import { builtinProcessors } from './registry';

test('the README processor section is what the registry renders (run: npx tsx scripts/processors-doc.ts --write)', async () => {
  const readme = await readFile(path.resolve(import.meta.dirname, '../README.md'), 'utf8');
  expect(withProcessorsSection(readme)).toBe(readme);
  const section = renderProcessorsSection();
  for (const d of builtinProcessors) {
    expect(section).toContain(`| ${d.type} | ${d.category} |`);
    for (const r of d.relationships) expect(section).toContain(`\`${r.name}\``);
  }
});
