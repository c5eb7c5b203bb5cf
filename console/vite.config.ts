import { defineConfig } from 'vite';

// Served by parley's admin port under /console/ (same origin as the API, so no CORS), and
// built into a directory parley reads: scripts/build.sh passes --outDir.
export default defineConfig({
  base: '/console/',
  oxc: { jsx: { runtime: 'automatic', importSource: 'preact' } },
  build: {
    target: 'es2022',
    // No source maps: the directory ships beside the binary, and the sources are in the repo.
    sourcemap: false,
  },
  test: {
    include: ['src/**/*.test.ts'],
    environment: 'node',
  },
});
