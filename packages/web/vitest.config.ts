import { defineConfig } from 'vitest/config';

// Pure logic only (reducers, ordering, gates): no DOM environment is installed or needed.
export default defineConfig({
  test: {
    name: 'web',
    include: ['src/**/*.test.ts'],
    environment: 'node',
  },
});
