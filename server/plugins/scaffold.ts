/**
 * `sluice new-processor MyThing`: a plugin package folder (`my-thing/`) with one working processor, its test on the
 * SDK harness, and a README. Its `npm test` needs no install and no network: it runs node's own test runner
 * with this Sluice's tsx and SDK hook, by absolute paths recorded now — so a package is scaffolded by (and tested
 * against) the Sluice it targets.
 */
import { existsSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { SDK_VERSION } from '../../sdk/index';

const HOST = path.resolve(import.meta.dirname, '../..');

/** "MyThing" → "my-thing"; "HTTPProbe" → "http-probe". */
export function kebabCase(name: string): string {
  return name
    .replace(/([a-z0-9])([A-Z])/g, '$1-$2')
    .replace(/([A-Z]+)([A-Z][a-z])/g, '$1-$2')
    .toLowerCase();
}

/** Creates the package folder under `dir` and returns its path; refuses a bad name or an existing folder. */
export async function scaffoldProcessor(type: string, dir: string): Promise<string> {
  if (!/^[A-Z][A-Za-z0-9]+$/.test(type)) throw new Error(`"${type}" is not a PascalCase processor type (e.g. MyThing)`);
  const slug = kebabCase(type);
  const root = path.join(dir, slug);
  if (existsSync(root)) throw new Error(`${root} already exists`);
  const major = SDK_VERSION.split('.')[0];
  const tsx = import.meta.resolve('tsx/esm');
  const hook = pathToFileURL(path.join(HOST, 'server/plugins/register-sdk.mjs')).href;
  const files: Record<string, string> = {
    'package.json': `${JSON.stringify(
      {
        name: `sluice-plugin-${slug}`,
        version: '0.1.0',
        description: `A Sluice plugin with the ${type} processor.`,
        type: 'module',
        keywords: ['sluice-plugin'],
        sluice: { sdk: `^${major}.0.0` },
        main: `src/${slug}.ts`,
        exports: `./src/${slug}.ts`,
        files: ['src', 'README.md'],
        scripts: {
          // This Sluice's tsx and `@sluice/sdk` hook (absolute: nothing to install); node's own test runner.
          test: `node --import ${tsx} --import ${hook} --test test/*.test.ts`,
        },
      },
      null,
      2,
    )}\n`,
    // For editors: the SDK's types from the Sluice this was scaffolded by.
    'tsconfig.json': `${JSON.stringify(
      {
        compilerOptions: {
          target: 'ES2022',
          module: 'ESNext',
          moduleResolution: 'bundler',
          lib: ['ES2023'],
          strict: true,
          noEmit: true,
          skipLibCheck: true,
          typeRoots: [path.join(HOST, 'node_modules/@types')],
          types: ['node'],
          paths: {
            '@sluice/sdk': [path.join(HOST, 'sdk/index.ts')],
            '@sluice/sdk/testing': [path.join(HOST, 'sdk/testing.ts')],
          },
        },
        include: ['src', 'test'],
      },
      null,
      2,
    )}\n`,
    [`src/${slug}.ts`]: processorSource(type),
    [`test/${slug}.test.ts`]: testSource(type, slug),
    'README.md': readme(type, slug),
  };
  for (const [file, text] of Object.entries(files)) {
    await mkdir(path.dirname(path.join(root, file)), { recursive: true });
    await writeFile(path.join(root, file), text);
  }
  return root;
}

function processorSource(type: string): string {
  return `import { defineProcessor } from '@sluice/sdk';

/** ${type}: adds an attribute to every FlowFile; one without content goes to failure. */
export const ${type} = defineProcessor({
  type: '${type}',
  description: 'Adds the configured greeting as the "greeting" attribute; FlowFiles without content go to failure.',
  category: 'transform',
  input: 'required',
  config: {
    type: 'object',
    additionalProperties: false,
    properties: {
      greeting: {
        type: 'string',
        default: 'hello',
        description: 'The value written to the "greeting" attribute.',
      },
    },
  },
  relationships: [
    { name: 'success', description: 'FlowFiles with the greeting attribute added.' },
    { name: 'failure', description: 'FlowFiles without content; the "error" attribute says why.' },
  ],
  async onTrigger(session, ctx) {
    for (const ff of await session.get(100)) {
      if (ff.size === 0) {
        session.transfer(session.putAttributes(ff, { error: 'the FlowFile has no content' }), 'failure');
        continue;
      }
      session.transfer(session.putAttributes(ff, { greeting: ctx.config.greeting }), 'success');
    }
  },
});

/** What Sluice loads from this package: the SDK major it was built for, and its processors. */
export default {
  sdk: '^1.0.0',
  processors: [${type}],
};
`;
}

function testSource(type: string, slug: string): string {
  return `import assert from 'node:assert/strict';
import { test } from 'node:test';
import { processorRunner } from '@sluice/sdk/testing';
import { ${type} } from '../src/${slug}';

test('${type} adds the greeting', async () => {
  const run = processorRunner(${type}, { greeting: 'hi' });
  run.enqueue('some content');
  await run.run();
  assert.equal(run.transferred('success')[0]?.attributes.greeting, 'hi');
});

test('${type} sends an empty FlowFile to failure', async () => {
  const run = processorRunner(${type}, {});
  run.enqueue('');
  await run.run();
  assert.equal(run.transferred('failure')[0]?.attributes.error, 'the FlowFile has no content');
});
`;
}

function readme(type: string, slug: string): string {
  return `# sluice-plugin-${slug}

A [Sluice](${HOST}) plugin with one processor, **${type}** (\`src/${slug}.ts\`).

- \`npm test\` runs \`test/${slug}.test.ts\` with node's test runner and the SDK harness (\`processorRunner\` from
  \`@sluice/sdk/testing\`). It uses the tsx and the SDK of the Sluice that scaffolded this folder (${HOST}),
  by absolute path: nothing to install. Scaffold again (or edit the script) if that Sluice moves.
- \`@sluice/sdk\` is not a package to install: Sluice maps it to its own SDK when it loads the plugin.
  \`"sluice": {"sdk": "^${SDK_VERSION.split('.')[0]}.0.0"}\` in package.json is the SDK major this plugin is built for.

## Use it

Copy this folder into \`DATA/plugins/\`, or \`npm pack\` it and \`npm install --prefix DATA <tarball>\`
(the \`sluice-plugin\` keyword makes Sluice find it), then \`sluice processors\` lists ${type}.
See docs/plugins.md in Sluice.
`;
}
