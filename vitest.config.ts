import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: [
      'server/**/*.test.ts',
      'processors/**/*.test.ts',
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
