import { defineConfig } from 'vitest/config';

// End-to-end: the real server process, real PostgreSQL, real Chromium, a real MLLP peer.
export default defineConfig({
  test: {
    name: 'e2e',
    include: ['**/*.test.ts'],
    testTimeout: 600_000,
    hookTimeout: 300_000,
    fileParallelism: false,
  },
});
