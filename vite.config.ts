import { defineConfig } from 'vite';
import { precompress } from './signaling-server/precompress.ts';

// The app is a static bundle served by signaling-server/server.ts. Workers are ES modules so
// they can share code (and comlink) with the page.
export default defineConfig({
  build: {
    outDir: 'dist',
    target: 'es2022',
    sourcemap: true,
    chunkSizeWarningLimit: 2048,
  },
  worker: { format: 'es' },
  plugins: [precompress()],
});
