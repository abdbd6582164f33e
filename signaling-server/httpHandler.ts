import type { RequestListener, ServerResponse } from 'node:http';
import { createStaticHandler } from './staticFiles.ts';

/** Live counters reported by `/healthz`; the signaling relay supplies them once it is attached. */
export interface RelayStats {
  rooms: number;
  peers: number;
}

export interface HttpHandlerOptions {
  /** The built app (`vite build` output). */
  distDir: string;
  /** Reported as `version` by `/healthz`, so a deploy can be checked from outside. */
  version: string;
  /** Called on every `/healthz` request; must be cheap. */
  stats: () => RelayStats;
  /** Prometheus text for `GET /metrics`; without it `/metrics` is a 404. */
  metrics?: () => string;
  /** Clock for `uptimeSec`; injectable so tests need not sleep. */
  now?: () => number;
}

/**
 * Every plain HTTP request of the server: `/healthz`, `/metrics`, then the static app. WebSocket upgrades
 * never reach this handler (Node emits them as `upgrade` on the server), so signaling attaches
 * beside it rather than inside it.
 */
export function createHttpHandler(options: HttpHandlerOptions): RequestListener {
  const now = options.now ?? Date.now;
  const startedAt = now();
  const serveStatic = createStaticHandler(options.distDir);

  return (req, res) => {
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.setHeader('Allow', 'GET, HEAD');
      return sendText(res, 405, 'Method Not Allowed');
    }
    const path = (req.url ?? '/').split('?')[0];
    if (path === '/healthz') {
      const { rooms, peers } = options.stats();
      const uptimeSec = Math.floor((now() - startedAt) / 1000);
      return sendJson(res, { ok: true, uptimeSec, rooms, peers, version: options.version });
    }
    if (path === '/metrics' && options.metrics) {
      return sendText(res, 200, options.metrics(), 'text/plain; version=0.0.4; charset=utf-8');
    }
    serveStatic(req, res, () => sendText(res, 404, 'Not Found'));
  };
}

/** Node drops the body of a HEAD response by itself, so these helpers need not check the method. */
function sendJson(res: ServerResponse, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(200, {
    'Content-Type': 'application/json; charset=utf-8',
    'Content-Length': Buffer.byteLength(text),
    // A health probe must see the live state, never a cached one.
    'Cache-Control': 'no-store',
  });
  res.end(text);
}

function sendText(
  res: ServerResponse,
  status: number,
  text: string,
  contentType = 'text/plain; charset=utf-8',
): void {
  res.writeHead(status, {
    'Content-Type': contentType,
    'Content-Length': Buffer.byteLength(text),
    'Cache-Control': 'no-store',
  });
  res.end(text);
}
