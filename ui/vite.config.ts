import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

/** Builds the canvas into ui/dist (served by `sluice serve` at /); `npm run dev` proxies /api to a local server. */
export default defineConfig({
  root: import.meta.dirname,
  base: './',
  plugins: [react()],
  build: { outDir: 'dist', emptyOutDir: true, chunkSizeWarningLimit: 1500 },
  server: {
    host: '127.0.0.1',
    port: 5173,
    proxy: { '/api': { target: process.env.SLUICE_API ?? 'http://127.0.0.1:8080' } },
  },
});
