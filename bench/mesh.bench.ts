// npm run bench → the mesh in headless Chromium, inside the test network namespace
// (scripts/netns-run.sh; the bench script runs everything through it):
// - time from opening a room link to a full mesh, 3 and 6 tabs (one browser context each);
// - 256 MiB bulk throughput through WebRtcTransport against a raw RTCDataChannel, same pages, same run;
// - round-trip latency of heartbeat-sized and query-sized (4 KiB) messages, idle and under a bulk load.
// Writes bench/results/mesh.json and bench/results/mesh.md.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { deriveRoomKeys, newRoomSecret } from '../src/net/roomCrypto.ts';
import type { Channel } from '../src/net/Transport.ts';
import { roomLink } from '../src/lake/room.ts';
import { bundleForBrowser } from '../test/e2e/bundle.ts';
import { launchBrowser, requireTestNetns, startAppServer, webRtcLaunchOptions } from '../test/e2e/harness.ts';

const MiB = 1024 * 1024;
const RUNS = Number(process.env.BENCH_MESH_RUNS ?? 3);
const BULK_BYTES = Number(process.env.BENCH_MESH_BYTES ?? 256 * MiB);
/** Bulk messages as replication will send them: one 1 MiB chunk per message (DESIGN §14 chunkSize). */
const BULK_MESSAGE = MiB;
/** The bulk load that heartbeats compete with in the under-load measurement. */
const LOAD_BYTES = 64 * MiB;
const PINGS = Number(process.env.BENCH_MESH_PINGS ?? 1000);
/** A heartbeat frame is about 30 bytes (src/net/wire.ts); a query request or small result about 4 KiB. */
const SIZES = { heartbeat: 32, query: 4096 };
const OUT = join(process.cwd(), 'bench/results');

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
function pct(xs: number[], p: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.ceil((p / 100) * s.length) - 1)]!;
}
const mibs = (bytes: number, ms: number) => bytes / MiB / (ms / 1000);

/**
 * Opens `n` tabs on the link at once. Times (wall clock, comparable across pages): link opened →
 * every tab has n-1 authenticated peers; and the mesh's own part, from the moment the last tab
 * joined the signaling room to the full mesh (WebRTC connections and handshakes). Tabs booting at
 * once on 2 cores delay each other's join by up to a second, which only the first figure shows.
 */
async function meshFormation(browser: Browser, origin: string, n: number) {
  const secret = newRoomSecret();
  const { roomId } = await deriveRoomKeys(secret);
  const link = new URL(roomLink(origin, roomId, secret));
  // Default heartbeats (10 s): a node counts a peer once its handshake is done (state alive).
  const contexts = await Promise.all(Array.from({ length: n }, () => browser.newContext()));
  const pages = await Promise.all(contexts.map((c) => c.newPage()));
  for (const page of pages) {
    await page.addInitScript((want: number) => {
      const w = window as unknown as { bench: { joinedAt?: number; fullAt?: number } };
      w.bench = {};
      const timer = setInterval(() => {
        const lake = window.lake as typeof window.lake | undefined;
        if (!lake) return;
        if (lake.room?.signaling === 'joined') w.bench.joinedAt ??= Date.now();
        if (lake.peers().filter((p) => p.state === 'alive').length === want) {
          w.bench.fullAt = Date.now();
          clearInterval(timer);
        }
      }, 2);
    }, n - 1);
  }
  const opened = Date.now();
  await Promise.all(pages.map((p) => p.goto(link.href)));
  await Promise.all(
    pages.map((p) =>
      p.waitForFunction(() => (window as unknown as { bench: { fullAt?: number } }).bench.fullAt, undefined, {
        timeout: 60_000,
      }),
    ),
  );
  const marks = await Promise.all(
    pages.map((p) =>
      p.evaluate(() => (window as unknown as { bench: { joinedAt: number; fullAt: number } }).bench),
    ),
  );
  await Promise.all(contexts.map((c) => c.close()));
  const lastJoined = Math.max(...marks.map((m) => m.joinedAt));
  const full = Math.max(...marks.map((m) => m.fullAt));
  return { openToFullMs: full - opened, lastJoinedToFullMs: full - lastJoined };
}

/** Two pages, each with one WebRtcTransport (events kept in the page) and the raw-channel helpers. */
async function pair(browser: Browser, url: string, script: string): Promise<[Page, Page]> {
  const secret = newRoomSecret();
  const pages: Page[] = [];
  for (const name of ['bench-sender-0', 'bench-receiver-1']) {
    const page = await (await browser.newContext()).newPage();
    page.on('pageerror', (e) => console.error(`${name}: ${e.message}`));
    await page.exposeFunction('rtcEvent', () => undefined);
    await page.goto(`${url}/healthz`);
    await page.addScriptTag({ content: script });
    await page.evaluate(([id, s]) => window.rtc.create(id, s, { forward: false }), [name, secret] as const);
    pages.push(page);
  }
  const [a, b] = pages as [Page, Page];
  await b.evaluate(() => window.meshBench.echo('bench-receiver-1'));
  await a.evaluate(
    () =>
      new Promise<void>((done) => {
        const tr = window.rtc.transport('bench-sender-0');
        const off = tr.on('peer-candidate', () => {
          off();
          done();
        });
        tr.connect('bench-receiver-1' as never);
      }),
  );
  // A raw RTCDataChannel between the same two pages, signalled through Node (no trickle).
  await Promise.all([
    a.evaluate(() => window.meshBench.rawCreate()),
    b.evaluate(() => window.meshBench.rawCreate()),
  ]);
  const offer = await a.evaluate(() => window.meshBench.rawOffer());
  const answer = await b.evaluate((o) => window.meshBench.rawAnswer(o), offer);
  await a.evaluate((s) => window.meshBench.rawAccept(s), answer);
  await Promise.all([
    a.evaluate(() => window.meshBench.rawOpen()),
    b.evaluate(() => window.meshBench.rawOpen()),
  ]);
  return [a, b];
}

async function transportRun(a: Page, b: Page, total: number): Promise<number> {
  const end = b.evaluate((n) => window.meshBench.bulkReceive('bench-receiver-1', n), total);
  const start = await a.evaluate(
    ([n, m]) => window.meshBench.bulkSend('bench-sender-0', 'bench-receiver-1', n, m),
    [total, BULK_MESSAGE] as const,
  );
  return (await end) - start;
}

async function rawRun(a: Page, b: Page, total: number): Promise<number> {
  const end = b.evaluate((n) => window.meshBench.rawReceive(n), total);
  const start = await a.evaluate((n) => window.meshBench.rawSend(n), total);
  return (await end) - start;
}

function ping(a: Page, size: number, n: number, channel: Channel, gapMs = 0): Promise<number[]> {
  return a.evaluate(
    ([s, k, c, g]) => window.meshBench.ping('bench-sender-0', 'bench-receiver-1', s, k, c, g),
    [size, n, channel, gapMs] as const,
  );
}

const summary = (xs: number[]) => ({
  n: xs.length,
  p50: pct(xs, 50),
  p99: pct(xs, 99),
  max: Math.max(...xs),
});

async function main(): Promise<void> {
  requireTestNetns();
  const server = await startAppServer();
  const browser = await launchBrowser(webRtcLaunchOptions());
  const origin = new URL(server.url).origin;

  const formation: Record<string, { openToFullMs: number[]; lastJoinedToFullMs: number[] }> = {};
  for (const n of [3, 6]) {
    const runs = { openToFullMs: [] as number[], lastJoinedToFullMs: [] as number[] };
    for (let r = 0; r < RUNS; r++) {
      const m = await meshFormation(browser, origin, n);
      runs.openToFullMs.push(m.openToFullMs);
      runs.lastJoinedToFullMs.push(m.lastJoinedToFullMs);
      console.log(
        `  ${n} tabs run ${r + 1}: link → full mesh ${m.openToFullMs} ms (last tab joined the room → full mesh ${m.lastJoinedToFullMs} ms)`,
      );
    }
    formation[`${n}`] = runs;
  }

  const script = await bundleForBrowser('../../bench/browser/mesh.entry.ts');
  const [a, b] = await pair(browser, server.url, script);

  // Latency first, on an idle connection.
  const idle = {
    heartbeat: summary(await ping(a, SIZES.heartbeat, PINGS, 'control')),
    query: summary(await ping(a, SIZES.query, PINGS, 'control')),
  };
  console.log(
    `  idle RTT: heartbeat p50 ${idle.heartbeat.p50.toFixed(2)} ms p99 ${idle.heartbeat.p99.toFixed(2)} ms; 4 KiB p50 ${idle.query.p50.toFixed(2)} ms p99 ${idle.query.p99.toFixed(2)} ms`,
  );

  // Throughput, alternating raw and ours so machine load affects both alike.
  const raw: number[] = [];
  const ours: number[] = [];
  for (let r = 0; r < RUNS; r++) {
    raw.push(mibs(BULK_BYTES, await rawRun(a, b, BULK_BYTES)));
    ours.push(mibs(BULK_BYTES, await transportRun(a, b, BULK_BYTES)));
    console.log(
      `  ${BULK_BYTES / MiB} MiB run ${r + 1}: raw ${raw.at(-1)!.toFixed(1)} MiB/s, WebRtcTransport ${ours.at(-1)!.toFixed(1)} MiB/s`,
    );
  }

  // Heartbeats during a bulk transfer: on the control channel (our design) and, for comparison, on
  // the bulk channel itself (what one shared ordered channel would give).
  const underLoad: Record<string, ReturnType<typeof summary>> = {};
  for (const channel of ['control', 'bulk'] as const) {
    const end = b.evaluate((n) => window.meshBench.bulkReceive('bench-receiver-1', n), LOAD_BYTES);
    const rtts = await a.evaluate(
      ([n, s, c]) => window.meshBench.pingDuringBulk('bench-sender-0', 'bench-receiver-1', n, s, c, 10),
      [LOAD_BYTES, SIZES.heartbeat, channel] as const,
    );
    await end;
    underLoad[channel] = summary(rtts);
    console.log(
      `  heartbeat RTT during a bulk transfer, on ${channel}: p50 ${underLoad[channel].p50.toFixed(1)} ms p99 ${underLoad[channel].p99.toFixed(1)} ms (${rtts.length} pings)`,
    );
  }
  {
    const end = b.evaluate((n) => window.meshBench.rawReceive(n), LOAD_BYTES);
    const rtts = await a.evaluate(([n, s]) => window.meshBench.rawPingDuringBulk(n, s, 10), [
      LOAD_BYTES,
      SIZES.heartbeat,
    ] as const);
    await end;
    underLoad.raw = summary(rtts);
    console.log(
      `  raw: ping RTT on a second channel during a raw bulk transfer: p50 ${underLoad.raw.p50.toFixed(1)} ms p99 ${underLoad.raw.p99.toFixed(1)} ms (${rtts.length} pings)`,
    );
  }

  await browser.close();
  await server.close();

  const throughput = {
    bytes: BULK_BYTES,
    messageBytes: BULK_MESSAGE,
    runs: RUNS,
    rawMiBs: raw,
    transportMiBs: ours,
    medianRawMiBs: median(raw),
    medianTransportMiBs: median(ours),
    ratio: median(ours) / median(raw),
  };
  const result = {
    date: new Date().toISOString(),
    meshFormation: Object.fromEntries(
      Object.entries(formation).map(([n, r]) => [
        n,
        {
          ...r,
          medianOpenToFullMs: median(r.openToFullMs),
          medianLastJoinedToFullMs: median(r.lastJoinedToFullMs),
        },
      ]),
    ),
    throughput,
    latencyIdle: idle,
    heartbeatUnderBulkLoad: underLoad,
  };
  const f = (x: number, d = 1) => x.toFixed(d);
  const md = [
    `Mesh in headless Chromium inside the test network namespace (host candidates on 198.18.0.1), ${new Date().toISOString().slice(0, 10)}; median of ${RUNS} runs where repeated.`,
    '',
    '| tabs | link opened → full mesh | last tab joined the signaling room → full mesh (WebRTC and handshakes) |',
    '|---|---|---|',
    ...Object.entries(result.meshFormation).map(
      ([n, r]) => `| ${n} | ${r.medianOpenToFullMs} ms | ${r.medianLastJoinedToFullMs} ms |`,
    ),
    '',
    `| bulk transfer, ${BULK_BYTES / MiB} MiB between two tabs | MiB/s (median) | runs |`,
    '|---|---|---|',
    `| raw RTCDataChannel (64 KiB messages, 1 MiB in flight) | ${f(throughput.medianRawMiBs)} | ${raw.map((x) => f(x)).join(', ')} |`,
    `| WebRtcTransport, bulk channel (1 MiB messages) | ${f(throughput.medianTransportMiBs)} | ${ours.map((x) => f(x)).join(', ')} |`,
    `| WebRtcTransport ÷ raw | ${f(throughput.ratio * 100, 0)}% | goal ≥ 80% |`,
    '',
    '| round trip (control channel) | p50 | p99 | n |',
    '|---|---|---|---|',
    `| heartbeat-sized (${SIZES.heartbeat} B), idle | ${f(idle.heartbeat.p50, 2)} ms | ${f(idle.heartbeat.p99, 2)} ms | ${idle.heartbeat.n} |`,
    `| query-sized (4 KiB), idle | ${f(idle.query.p50, 2)} ms | ${f(idle.query.p99, 2)} ms | ${idle.query.n} |`,
    `| heartbeat during a bulk transfer, control channel | ${f(underLoad.control!.p50)} ms | ${f(underLoad.control!.p99)} ms | ${underLoad.control!.n} |`,
    `| heartbeat during a bulk transfer, sent on the bulk channel instead | ${f(underLoad.bulk!.p50)} ms | ${f(underLoad.bulk!.p99)} ms | ${underLoad.bulk!.n} |`,
    `| baseline: raw ping on a second RTCDataChannel during a raw bulk transfer | ${f(underLoad.raw.p50)} ms | ${f(underLoad.raw.p99)} ms | ${underLoad.raw.n} |`,
  ].join('\n');
  mkdirSync(OUT, { recursive: true });
  writeFileSync(join(OUT, 'mesh.json'), JSON.stringify(result, null, 2) + '\n');
  writeFileSync(join(OUT, 'mesh.md'), md + '\n');
  console.log('\n' + md);
}

await main();
