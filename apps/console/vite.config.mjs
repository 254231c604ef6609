// Builds the console into dist/apps/console; the gateway serves it under /console/ (and at / for browsers).
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

const here = dirname(fileURLToPath(import.meta.url));

export default defineConfig({
  root: here,
  base: '/console/',
  logLevel: 'warn',
  esbuild: { jsx: 'automatic', jsxImportSource: 'preact' },
  build: {
    outDir: join(here, '../../dist/apps/console'),
    emptyOutDir: true,
    target: 'es2022',
    // One small app: a single chunk keeps the gateway's file list short.
    chunkSizeWarningLimit: 400,
  },
});
