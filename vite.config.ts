import { defineConfig } from 'vite';
import { VitePWA } from 'vite-plugin-pwa';
import { precompress } from './signaling-server/precompress.ts';

/** The query worker and lazily loaded readers are large; the precache must still take every file (offline start). */
const PRECACHE_MAX_BYTES = 64 * 1024 * 1024;

/**
 * A label baked into the bundle (`__BUILD_ID__`): shown in Settings, and how the PWA update test
 * makes a rebuild differ. Defaults to the build time.
 */
const BUILD_ID = process.env.PEERLAKE_BUILD_ID ?? new Date().toISOString();

// The app is a static bundle served by signaling-server/server.ts. Workers are ES modules so
// they can share code (and comlink) with the page.
export default defineConfig({
  define: { __BUILD_ID__: JSON.stringify(BUILD_ID) },
  build: {
    outDir: 'dist',
    target: 'es2022',
    sourcemap: true,
    chunkSizeWarningLimit: 2048,
  },
  // Preact's JSX runtime for src/ui/**/*.tsx (tsconfig says the same for the type checker).
  oxc: { jsx: { runtime: 'automatic', importSource: 'preact' } },
  worker: { format: 'es' },
  plugins: [
    VitePWA({
      // src/pwa/registerServiceWorker.ts registers with workbox-window and asks before updating.
      injectRegister: false,
      registerType: 'prompt',
      strategies: 'generateSW',
      filename: 'sw.js',
      manifestFilename: 'manifest.webmanifest',
      includeAssets: ['favicon.svg'],
      manifest: {
        id: '/',
        name: 'peerlake',
        short_name: 'peerlake',
        description: 'A data lake that lives in your browser: drop files, query them with SQL, share a room.',
        start_url: '/',
        scope: '/',
        display: 'standalone',
        background_color: '#15171b',
        theme_color: '#2257c9',
        categories: ['productivity', 'utilities'],
        icons: [
          { src: '/icons/icon-192.png', sizes: '192x192', type: 'image/png', purpose: 'any' },
          { src: '/icons/icon-512.png', sizes: '512x512', type: 'image/png', purpose: 'any' },
          { src: '/icons/icon-192-maskable.png', sizes: '192x192', type: 'image/png', purpose: 'maskable' },
          { src: '/icons/icon-512-maskable.png', sizes: '512x512', type: 'image/png', purpose: 'maskable' },
        ],
      },
      workbox: {
        // Everything the app can load, wasm and lazily imported readers included, so it starts offline.
        globPatterns: ['**/*.{js,mjs,css,html,wasm,svg,png,webmanifest}'],
        maximumFileSizeToCacheInBytes: PRECACHE_MAX_BYTES,
        navigateFallback: 'index.html',
        // Server endpoints are never the app shell.
        navigateFallbackDenylist: [/^\/(healthz|metrics|signal)(\/|$)/],
        cleanupOutdatedCaches: true,
        // The first install takes the open page at once (so it works offline after one visit);
        // later versions wait until the user accepts the update prompt.
        clientsClaim: true,
        skipWaiting: false,
        sourcemap: false,
      },
    }),
    precompress(),
  ],
});
