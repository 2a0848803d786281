import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    name: 'server',
    include: ['src/**/*.test.ts', 'e2e/**/*.test.ts'],
    // One embedded PostgreSQL for the whole project; each test file makes its own database.
    globalSetup: ['./src/test/global-setup.ts'],
    // The server reads with one thread per core by default; the suite's real-reader tests run
    // side by side on a shared machine, so each keeps to one (config.test.ts checks the default).
    env: { READER_THREADS: process.env.READER_THREADS ?? '1' },
    testTimeout: 120_000,
    hookTimeout: 120_000,
  },
});
