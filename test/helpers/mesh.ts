import type { MemoryNetwork } from '../../src/net/MemoryNetwork.ts';
import type { MemoryTransport } from '../../src/net/MemoryTransport.ts';
import { Membership, type MembershipEvents } from '../../src/net/Membership.ts';
import type { MembershipOptions } from '../../src/net/MembershipOptions.ts';
import type { DeviceId, NodeId } from '../../src/types.ts';

export interface TestNode {
  id: NodeId;
  transport: MemoryTransport;
  membership: Membership;
  /** Warnings membership logged (kept out of the test output, and available to assert on). */
  warnings: unknown[][];
}

/** Timings shrunk for tests: a heartbeat every 30 ms, so "3 missed" is about 100 ms. */
export const FAST: Partial<MembershipOptions> = {
  heartbeatInterval: 30,
  connectTimeout: 200,
  handshakeTimeout: 200,
  peerExchangeInterval: 200,
  reconnectBaseMs: 20,
  reconnectMaxMs: 200,
};

export const nodeId = (name: string): NodeId => `node-${name}` as NodeId;

export function createNode(
  net: MemoryNetwork,
  name: string,
  authKey: CryptoKey,
  options: Partial<MembershipOptions> = {},
): TestNode {
  const id = nodeId(name);
  const transport = net.createTransport(id);
  const warnings: unknown[][] = [];
  const membership = new Membership({
    transport,
    deviceId: `device-${name}` as DeviceId,
    authKey,
    capabilities: ['sql'],
    logger: { warn: (...args: unknown[]) => warnings.push(args) },
    ...FAST,
    ...options,
  });
  return { id, transport, membership, warnings };
}

/**
 * Resolves with the first matching membership event, or rejects after `timeoutMs` naming what was
 * awaited. Tests wait on events like this, never on sleeps.
 */
export function nextEvent<K extends keyof MembershipEvents>(
  m: Membership,
  event: K,
  match: (e: MembershipEvents[K]) => boolean = () => true,
  timeoutMs = 5_000,
): Promise<MembershipEvents[K]> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      off();
      reject(new Error(`${m.nodeId}: no matching "${event}" within ${timeoutMs} ms`));
    }, timeoutMs);
    const off = m.on(event, (e) => {
      if (!match(e)) return;
      clearTimeout(timer);
      off();
      resolve(e);
    });
  });
}

/** Records every event of the given kinds, in order, as `kind:nodeId`. */
export function recordEvents(m: Membership, kinds: (keyof MembershipEvents)[]): string[] {
  const log: string[] = [];
  for (const kind of kinds) {
    m.on(kind, (e) => log.push(`${kind}:${'nodeId' in e ? e.nodeId : e.from}`));
  }
  return log;
}

/**
 * Resolves once `done()` holds, re-checking after every membership event of the given nodes (and
 * on a slow poll as a safety net for state that changes without an event, e.g. RTT). Rejects
 * with `describe()` after `timeoutMs`.
 */
export function until(
  nodes: TestNode[],
  done: () => boolean,
  describe: () => string,
  timeoutMs = 10_000,
): Promise<void> {
  return new Promise((resolve, reject) => {
    const offs: (() => void)[] = [];
    const finish = (err?: Error) => {
      clearTimeout(timer);
      clearInterval(poll);
      for (const off of offs) off();
      if (err) reject(err);
      else resolve();
    };
    const check = () => {
      if (done()) finish();
    };
    const timer = setTimeout(
      () => finish(new Error(`timed out after ${timeoutMs} ms: ${describe()}`)),
      timeoutMs,
    );
    const poll = setInterval(check, 100);
    for (const n of nodes) {
      for (const kind of ['peer-joined', 'peer-left', 'peer-state'] as const)
        offs.push(n.membership.on(kind, check));
    }
    check();
  });
}
