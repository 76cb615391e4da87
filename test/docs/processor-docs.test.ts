/** docs/processors.md is generated from the processor registry: it must be exactly what the generator renders. */
import { readFile } from 'node:fs/promises';
import { describe, expect, test } from 'vitest';
import { builtinProcessors } from '../../processors/registry';
import { PROCESSOR_DOCS, renderProcessorDocs } from '../../scripts/processor-docs';

describe('docs/processors.md', () => {
  test('is what the registry renders (run: npm run docs:processors)', async () => {
    const current = await readFile(PROCESSOR_DOCS, 'utf8');
    expect(current === renderProcessorDocs(), 'docs/processors.md is out of date: run npm run docs:processors').toBe(
      true,
    );
  });

  test('has a section per processor with every relationship and property', () => {
    const text = renderProcessorDocs();
    for (const d of builtinProcessors) {
      expect(text).toContain(`\n### ${d.type}\n`);
      const section = text.slice(text.indexOf(`\n### ${d.type}\n`)).split('\n### ')[1]!;
      for (const r of d.relationships) expect(section).toContain(`| \`${r.name}\` |`);
      const properties = (d.config as { properties?: Record<string, unknown> }).properties ?? {};
      for (const name of Object.keys(properties))
        expect(section).toMatch(new RegExp(`\\| \`${name}\`( \\(required\\))? \\|`));
    }
  });

  test('a change in the registry changes the rendering', () => {
    const [first, ...rest] = builtinProcessors;
    const changed = { ...first!, description: `${first!.description} Changed.` };
    expect(renderProcessorDocs([changed, ...rest])).not.toBe(renderProcessorDocs());
  });

  test('required properties, enums, ranges and router relationships come from the schema', () => {
    const text = renderProcessorDocs();
    expect(text).toContain('| `directory` (required) |');
    expect(text).toContain('one of `"core"`, `"jetstream"`');
    expect(text).toContain('integer, 1 to 10000');
    expect(text).toContain('| `<name>`: one per entry of `routes` |');
  });
});
