import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['feed/**/*.test.ts', 'db/**/*.test.ts', 'server/**/*.test.ts', 'client/**/*.test.ts', 'protocol/**/*.test.ts', 'test/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    pool: 'forks',
    globalSetup: ['test/helpers/global-setup.ts'],
  },
});
