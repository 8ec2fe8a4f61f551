import { defineConfig } from 'vite';
import { precompress } from './vite/precompress.js';
import { privateSourceMaps } from './vite/private-source-maps.js';

// No React plugin: esbuild compiles JSX; the plugin's fast refresh is not worth a dependency.
export default defineConfig({
  esbuild: { jsx: 'automatic' },
  resolve: { conditions: ['samkons-source', 'module', 'browser', 'development|production'] },
  server: {
    proxy: {
      '/api': 'http://127.0.0.1:3000',
      '/socket.io': { target: 'http://127.0.0.1:3000', ws: true },
    },
  },
  plugins: [privateSourceMaps(), precompress()],
  build: {
    outDir: 'dist',
    // Kept out of the served folder (client/dist-sourcemaps) by privateSourceMaps.
    sourcemap: 'hidden',
    // Raw, minified kB: the shell (React, router, zod, i18n) is about 550. What a patient
    // downloads compressed is budgeted by tests/integration/client-bundle.test.ts.
    chunkSizeWarningLimit: 650,
  },
});
