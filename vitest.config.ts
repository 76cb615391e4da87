import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

// Plugins (plugins/*) import the SDK as the host maps it for them at run time (server/plugins/sdk-hooks.mjs).
const sdkFile = (file: string) => fileURLToPath(new URL(file, import.meta.url));

export default defineConfig({
  resolve: {
    alias: [
      { find: /^@sluice\/sdk$/, replacement: sdkFile('./sdk/index.ts') },
      { find: /^@sluice\/sdk\/testing$/, replacement: sdkFile('./sdk/testing.ts') },
    ],
  },
  test: {
    include: [
      'server/**/*.test.ts',
      'processors/**/*.test.ts',
      'sdk/**/*.test.ts',
      'plugins/**/*.test.ts',
      'services/**/*.test.ts',
      'flows/**/*.test.ts',
      'test/**/*.test.ts',
      'ui/src/**/*.test.ts',
    ],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    pool: 'forks',
  },
});
