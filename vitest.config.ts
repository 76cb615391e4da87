import { fileURLToPath } from 'node:url';
import { configDefaults, defineConfig } from 'vitest/config';
import { SlowestFirstSequencer } from './test/slowest-first-sequencer';

// Plugins (plugins/*) import the SDK as the host maps it for them at run time (server/plugins/sdk-hooks.mjs).
const sdkFile = (file: string) => fileURLToPath(new URL(file, import.meta.url));

const everyTest = [
  'server/**/*.test.ts',
  'processors/**/*.test.ts',
  'sdk/**/*.test.ts',
  'plugins/**/*.test.ts',
  'services/**/*.test.ts',
  'flows/**/*.test.ts',
  'test/**/*.test.ts',
  'ui/src/**/*.test.ts',
];
// Browser tests drive Chromium, which wants a core of its own: they run one at a time, after the rest.
const browserTests = ['test/e2e/**/*.test.ts'];

export default defineConfig({
  resolve: {
    alias: [
      { find: /^@sluice\/sdk$/, replacement: sdkFile('./sdk/index.ts') },
      { find: /^@sluice\/sdk\/testing$/, replacement: sdkFile('./sdk/testing.ts') },
    ],
  },
  test: {
    // With three files at a time on two cores, a test that spawns the CLI a few times (each start compiles
    // TypeScript through tsx) can pass 30 s without anything being wrong.
    testTimeout: 60_000,
    hookTimeout: 60_000,
    pool: 'forks',
    sequence: { sequencer: SlowestFirstSequencer },
    // Vitest's default is availableParallelism - 1 workers: one on the two cores here. Most node test files wait
    // on child processes, brokers and timers rather than compute, so they run three at a time; the browser files
    // (Chromium, which computes) run after them, two at a time.
    maxWorkers: 2,
    projects: [
      {
        extends: true,
        test: {
          name: 'node',
          maxWorkers: 3,
          include: everyTest,
          exclude: [...configDefaults.exclude, ...browserTests],
          sequence: { groupOrder: 0 },
        },
      },
      {
        extends: true,
        // Two Chromium files at a time, once the node files are done: 155 s instead of 222 s here, all passing.
        test: { name: 'browser', include: browserTests, maxWorkers: 2, sequence: { groupOrder: 1 } },
      },
    ],
  },
});
