import { defineConfig } from 'vite';

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
  build: { outDir: 'dist', sourcemap: true },
});
