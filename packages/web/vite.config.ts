import { defineConfig } from 'vite';
import react from '@vitejs/plugin-react';
import { mockApi } from './dev/mockApi.ts';

// In development the API lives on the Nexession server (HTTPS, self-signed certificate):
//   NEXESSION_URL=https://localhost:8443 npm run dev -w @nexession/web
// Without a server, NEXESSION_MOCK=1 answers /api with synthetic data (dev/mockApi.ts).
const apiTarget = process.env['NEXESSION_URL'] ?? 'https://localhost:8443';
const mock = process.env['NEXESSION_MOCK'] === '1';
const proxy = mock ? undefined : { '/api': { target: apiTarget, changeOrigin: false, secure: false } };

export default defineConfig({
  plugins: [react(), ...(mock ? [mockApi()] : [])],
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    // No source maps in the shipped bundle: the server serves dist/ as is.
    sourcemap: false,
  },
  server: { proxy },
  preview: { proxy },
});
