import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    name: 'server',
    include: ['src/**/*.test.ts', 'e2e/**/*.test.ts', 'bench/**/*.test.ts'],
    // One embedded PostgreSQL for the whole project; each test file makes its own database.
    globalSetup: ['./src/test/global-setup.ts'],
    testTimeout: 120_000,
    hookTimeout: 120_000,
  },
});
