import { fileURLToPath } from 'node:url';
import { configDefaults, defineConfig } from 'vitest/config';

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
    testTimeout: 30_000,
    hookTimeout: 60_000,
    pool: 'forks',
    // Most test files wait on child processes, brokers and timers rather than compute: two at a time on the
    // two cores here (Vitest's default would be one: availableParallelism - 1).
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
        test: { name: 'browser', include: browserTests, fileParallelism: false, sequence: { groupOrder: 1 } },
      },
    ],
  },
});
