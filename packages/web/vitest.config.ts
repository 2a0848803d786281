import { defineConfig } from 'vitest/config';

// Pure logic in src/ (no DOM environment: jsdom is not installed); e2e/ drives Chromium against the mock API.
export default defineConfig({
  test: {
    name: 'web',
    include: ['src/**/*.test.ts', 'e2e/**/*.test.ts'],
    environment: 'node',
    testTimeout: 120_000,
    hookTimeout: 120_000,
  },
});
