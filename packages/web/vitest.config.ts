import { defineConfig } from 'vitest/config';

// Pure logic in src/ (no DOM environment: jsdom is not installed). The workstation in a real
// browser is tested against the real product in the repository's e2e/ (review-keyboard.test.ts).
export default defineConfig({
  test: {
    name: 'web',
    include: ['src/**/*.test.ts'],
    environment: 'node',
    testTimeout: 120_000,
    hookTimeout: 120_000,
  },
});
