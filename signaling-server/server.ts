import { existsSync, readFileSync, realpathSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createHttpHandler } from './httpHandler.ts';
import type { RelayLimits } from './relayLimits.ts';
import { attachSignalingRelay } from './SignalingRelay.ts';

/** In-flight requests get this long to finish on shutdown before their sockets are cut. */
const SHUTDOWN_GRACE_MS = 5_000;
const DEFAULT_PORT = 8080;

export interface ServerOptions {
  /** 0 picks a free port (tests). */
  port: number;
  /** The built app; must contain index.html. */
  distDir: string;
  /** Interface to bind; Node's default (all interfaces) when omitted. */
  host?: string;
  /** Signaling relay limits; each omitted one keeps its default (DEFAULT_RELAY_LIMITS). */
  signaling?: Partial<RelayLimits>;
}

export interface RunningServer {
  /** Base URL without a trailing slash, e.g. `http://localhost:8080`. */
  url: string;
  port: number;
  /** Stops accepting, lets in-flight requests finish (bounded), then resolves. Idempotent. */
  close(): Promise<void>;
}

/** Thrown by {@link startServer} when `distDir` holds no built app. */
export class DistMissingError extends Error {
  constructor(distDir: string) {
    super(`No built app at ${join(distDir, 'index.html')}. Run \`npm run build\` first (or \`npm start\`).`);
    this.name = 'DistMissingError';
  }
}

/** The one peerlake server process: the built PWA, `/healthz`, `/metrics`, and the signaling relay on `/signal`. */
export async function startServer(options: ServerOptions): Promise<RunningServer> {
  const distDir = resolve(options.distDir);
  if (!existsSync(join(distDir, 'index.html'))) throw new DistMissingError(distDir);

  // The handler reads the relay's counters only per request, after the relay below exists.
  const server = createServer(
    createHttpHandler({
      distDir,
      version: readVersion(),
      stats: () => relay.stats(),
      metrics: () => relay.metrics(),
    }),
  );
  const relay = attachSignalingRelay(server, options.signaling);

  await new Promise<void>((done, fail) => {
    const onError = (err: Error): void => {
      relay.close();
      fail(err);
    };
    server.once('error', onError);
    server.listen(options.port, options.host, () => {
      server.off('error', onError);
      done();
    });
  });

  const { port } = server.address() as AddressInfo;
  let closing: Promise<void> | undefined;
  const close = (): Promise<void> => {
    closing ??= new Promise<void>((done, fail) => {
      // Upgraded sockets are no longer the HTTP server's to close; the relay ends them.
      relay.close();
      const force = setTimeout(() => server.closeAllConnections(), SHUTDOWN_GRACE_MS);
      force.unref();
      server.close((err) => {
        clearTimeout(force);
        if (err) fail(err);
        else done();
      });
      // Keep-alive sockets with no request in flight would otherwise hold close() open.
      server.closeIdleConnections();
    });
    return closing;
  };
  return { url: `http://${urlHost(options.host)}:${port}`, port, close };
}

function urlHost(host: string | undefined): string {
  if (!host || host === '0.0.0.0' || host === '::') return 'localhost';
  return host.includes(':') ? `[${host}]` : host;
}

function readVersion(): string {
  const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as {
    version?: string;
  };
  return pkg.version ?? '0.0.0';
}

async function main(): Promise<void> {
  const port = process.env.PORT ? Number(process.env.PORT) : DEFAULT_PORT;
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    console.error(`Invalid PORT ${JSON.stringify(process.env.PORT)}: expected an integer 0-65535.`);
    process.exit(1);
  }
  // Resolved from this file, not the cwd, so `tsx /abs/path/server.ts` works from anywhere.
  const distDir = process.env.DIST_DIR ?? fileURLToPath(new URL('../dist', import.meta.url));

  let server: RunningServer;
  try {
    server = await startServer({ port, distDir, host: process.env.HOST });
  } catch (err) {
    console.error(err instanceof Error ? err.message : err);
    process.exit(1);
  }
  console.log(`peerlake serving ${server.url}`);

  const shutdown = (signal: NodeJS.Signals): void => {
    console.log(`peerlake: ${signal}, shutting down`);
    // A second signal means "now": do not wait for the grace period.
    process.once(signal, () => process.exit(1));
    server.close().then(
      () => process.exit(0),
      (err: unknown) => {
        console.error('peerlake: shutdown failed', err);
        process.exit(1);
      },
    );
  };
  process.once('SIGINT', shutdown);
  process.once('SIGTERM', shutdown);
}

/** True when this file is the entry point (`tsx signaling-server/server.ts`), not an import. */
function isMain(): boolean {
  const entry = process.argv[1];
  if (!entry) return false;
  try {
    return realpathSync(entry) === realpathSync(fileURLToPath(import.meta.url));
  } catch {
    // argv[1] may name something that is not a file (e.g. a REPL); then we are not the entry.
    return false;
  }
}

if (isMain()) await main();
