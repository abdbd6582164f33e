import type { IncomingMessage, ServerResponse } from 'node:http';
import sirv from 'sirv';

/** Vite puts content-hashed bundles here; a changed file gets a new name, so browsers may keep them forever. */
const HASHED_PREFIX = '/assets/';
const IMMUTABLE = 'public, max-age=31536000, immutable';
/** Everything else (index.html, the service worker, the manifest, icons) must be revalidated, or an update never arrives. */
const REVALIDATE = 'no-cache';
/** A path segment starting with a dot, except the standard `/.well-known/`. */
const DOTFILE = /\/\.(?!well-known\/)/;

/** Serves a request from the built app, or calls `notFound` when no file (and no SPA fallback) matches. */
export type StaticHandler = (req: IncomingMessage, res: ServerResponse, notFound: () => void) => void;

/**
 * Static files from `distDir` through sirv: precompressed `.br`/`.gz` siblings chosen by
 * `Accept-Encoding`, ETags, and an SPA fallback to `index.html` for extension-less paths.
 *
 * @remarks
 * MIME types come from sirv's `mrmime`, which already maps `.wasm` to `application/wasm` and
 * `.webmanifest` to `application/manifest+json` (asserted in test/integration/server.test.ts).
 *
 * `dev: true` makes sirv look files up per request instead of snapshotting `distDir` at startup.
 * We want that for two reasons: `vite build` may rewrite `dist/` while the server runs (the
 * PWA update flow), and sirv pipes a read stream without an `error` listener, so a file deleted
 * after a startup snapshot would crash the process on its next request. The per-request cost is
 * a few `stat` calls.
 */
export function createStaticHandler(distDir: string): StaticHandler {
  const serve = sirv(distDir, {
    dev: true,
    etag: true,
    brotli: true,
    gzip: true,
    single: true,
    // A missing hashed asset must be a 404, never index.html served as JavaScript; the
    // fallback would also inherit the immutable header below.
    ignores: ['^/assets/'],
    setHeaders(res, pathname) {
      res.setHeader('Cache-Control', pathname.startsWith(HASHED_PREFIX) ? IMMUTABLE : REVALIDATE);
      res.setHeader('X-Content-Type-Options', 'nosniff');
    },
  });
  return (req, res, notFound) => {
    // sirv's dev mode would serve dotfiles (only its snapshot mode skips them); dist has none
    // on purpose, so refuse them rather than leak something copied in by accident.
    if (DOTFILE.test(decodedPath(req.url))) return notFound();
    serve(req, res, notFound);
  };
}

/** The path as sirv will see it (it decodes too), so `%2e` cannot sneak a dotfile past the check. */
function decodedPath(url = '/'): string {
  const path = url.split('?')[0] ?? '/';
  try {
    return decodeURIComponent(path);
  } catch {
    // Malformed escapes: check the raw text; sirv will not find such a file either.
    return path;
  }
}
