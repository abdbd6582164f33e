import type { NodeId } from '../types.ts';
import { MemoryTransport, type MemoryDeliver, type MemoryHub, type MemoryPort } from './MemoryTransport.ts';
import type { Channel, TransportEvents } from './Transport.ts';

/**
 * Faults injected on a link, per direction and per message. All default to none: then delivery is
 * on microtasks and no timer is ever used.
 */
export interface LinkFaults {
  /** Probability (0..1) that a message is silently lost. */
  dropRate?: number;
  /** Latency added to every message: a fixed ms value, or a uniform [min, max] range. Uses timers. */
  delayMs?: number | readonly [number, number];
  /**
   * Probability (0..1) that a message is held back by up to {@link REORDER_HOLD_MS} extra, so later
   * messages on the same link overtake it. Without it, a link is FIFO even with a delay range.
   */
  reorder?: number;
}

export interface MemoryNetworkOptions {
  /** Faults for every link (a link's own faults, {@link MemoryNetwork.setLinkFaults}, override these). */
  faults?: LinkFaults;
  /** Seed of the network's PRNG (drops, delays, reordering), so a failing run can be replayed. */
  seed?: number;
}

/** How far a reordered message is held back (ms): enough for a few later messages to pass it. */
export const REORDER_HOLD_MS = 10;
/** Messages delivered per link direction per turn, so one busy link cannot starve the others. */
const MAX_DELIVERIES_PER_TURN = 64;

interface Endpoint {
  id: NodeId;
  deliver: MemoryDeliver;
  /** No new connections or sends; events already queued still arrive. */
  closing: boolean;
}
interface InFlight {
  bytes: Uint8Array;
  channel: Channel;
  /** Date.now() at which it may be delivered. */
  due: number;
  /** Set on the sender's close notice: queued behind its last message, it closes the receiver's end. */
  closeReason?: string;
}
/** One direction of a link: the messages in flight towards `to`. */
interface Direction {
  to: Endpoint;
  from: Endpoint;
  queue: InFlight[];
  /** Latest `due` of a FIFO message, so a later message never overtakes an earlier one. */
  tailDue: number;
  microtask: boolean;
  timer: ReturnType<typeof setTimeout> | undefined;
  timerDue: number;
}
interface Link {
  key: string;
  ends: Map<NodeId, Endpoint>;
  /** Ends that still consider the connection open. */
  open: Set<NodeId>;
  /** Keyed by the receiving node. */
  dirs: Map<NodeId, Direction>;
  /** A side that disconnected across a partition: the other side hears of it at heal time. */
  closeOnHeal: { notify: NodeId; peer: NodeId; reason: string } | undefined;
}

const linkKey = (a: NodeId, b: NodeId): string => (a < b ? `${a}\u0000${b}` : `${b}\u0000${a}`);

function checkFaults(f: LinkFaults): LinkFaults {
  const rate = (v: number | undefined, name: string) => {
    if (v !== undefined && !(v >= 0 && v <= 1)) throw new RangeError(`${name} must be within 0..1, got ${v}`);
  };
  rate(f.dropRate, 'dropRate');
  rate(f.reorder, 'reorder');
  const d = f.delayMs;
  const ms = (v: number) => Number.isFinite(v) && v >= 0;
  if (d !== undefined && !(typeof d === 'number' ? ms(d) : ms(d[0]) && ms(d[1]) && d[0] <= d[1])) {
    throw new RangeError(`delayMs must be ms >= 0 or a [min, max] range, got ${JSON.stringify(d)}`);
  }
  return { ...f };
}

/** mulberry32: a tiny seeded PRNG, good enough to make fault injection replayable. */
function seededRandom(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * An in-process network of {@link MemoryTransport}s with fault injection (mesh issue, DESIGN §7).
 * Tests create one network, a transport per node id, and then break it: drops, delays,
 * reordering, and partitions between groups of nodes.
 *
 * Semantics:
 * - `connect(a → b)` opens one link; both sides get `peer-candidate` in the same microtask.
 * - Messages are copied at `send`, delivered whole and, unless `reorder` is set, in order per link
 *   (across both channels). Without `delayMs`/`reorder` they arrive on a microtask (automerge:
 *   setTimeout delivery "produces flaky round-trip-heavy tests"); with them, on timers.
 * - `disconnect` or `close` on one side: that side gets `peer-disconnected` on a microtask, and
 *   messages in flight towards it are lost; the other side first receives what was already sent
 *   to it, then `peer-disconnected` (RTCDataChannel's closing procedure also finishes sending
 *   pending messages). So a refusal sent just before a disconnect arrives.
 * - {@link partition} silently drops everything between the two groups, including messages already
 *   in flight, and new connections across it never open. Neither side is told: the membership
 *   failure detector has to notice (missed heartbeats → `peer-left`), as it must for a WebRTC path
 *   that silently stops. A side that disconnects across the partition is closed at once; the other
 *   side hears of it only at {@link heal}, like a reset arriving once packets flow again.
 * - {@link heal} removes every partition; nodes reconnect by themselves (membership's backoff).
 */
export class MemoryNetwork {
  readonly #endpoints = new Map<NodeId, Endpoint>();
  readonly #links = new Map<string, Link>();
  readonly #linkFaults = new Map<string, LinkFaults>();
  #faults: LinkFaults;
  #partitions: [ReadonlySet<NodeId>, ReadonlySet<NodeId>][] = [];
  readonly #random: () => number;
  readonly #stats = { sent: 0, delivered: 0, dropped: 0 };
  readonly #hub: MemoryHub = { attach: (id, deliver) => this.#attach(id, deliver) };

  constructor(options: MemoryNetworkOptions = {}) {
    this.#faults = checkFaults(options.faults ?? {});
    this.#random = seededRandom(options.seed ?? 0x9e3779b9);
  }

  /** A transport for node `id` on this network. @throws Error if `id` is attached and not closed. */
  createTransport(id: NodeId): MemoryTransport {
    return new MemoryTransport(id, this.#hub);
  }

  /** Replaces the network-wide faults; applies to messages sent from now on. */
  setFaults(faults: LinkFaults): void {
    this.#faults = checkFaults(faults);
  }

  /** Faults for the link between `a` and `b` (both directions), over the network's; `undefined` clears them. */
  setLinkFaults(a: NodeId, b: NodeId, faults: LinkFaults | undefined): void {
    if (faults) this.#linkFaults.set(linkKey(a, b), checkFaults(faults));
    else this.#linkFaults.delete(linkKey(a, b));
  }

  /** Cuts every link between a node of `groupA` and a node of `groupB` (see the class semantics). */
  partition(groupA: Iterable<NodeId>, groupB: Iterable<NodeId>): void {
    this.#partitions.push([new Set(groupA), new Set(groupB)]);
  }

  /** Removes every partition; sides that disconnected across one are told now. */
  heal(): void {
    this.#partitions = [];
    for (const link of [...this.#links.values()]) {
      const pending = link.closeOnHeal;
      if (!pending) continue;
      link.closeOnHeal = undefined;
      this.#closeEnd(link, pending.notify, pending.peer, pending.reason);
    }
  }

  /** Counters since creation: messages accepted by `send`, delivered, and lost to faults or partitions. */
  stats(): { sent: number; delivered: number; dropped: number } {
    return { ...this.#stats };
  }

  #blocked(a: NodeId, b: NodeId): boolean {
    return this.#partitions.some(([x, y]) => (x.has(a) && y.has(b)) || (x.has(b) && y.has(a)));
  }

  #attach(id: NodeId, deliver: MemoryDeliver): MemoryPort {
    if (this.#endpoints.has(id)) throw new Error(`node ${id} is already attached to this network`);
    const ep: Endpoint = { id, deliver, closing: false };
    this.#endpoints.set(id, ep);
    return {
      connect: (peerId) => this.#connect(ep, peerId),
      send: (peerId, bytes, channel) => this.#send(ep, peerId, bytes, channel),
      disconnect: (peerId, reason) => this.#disconnect(ep, peerId, reason),
      connected: () =>
        [...this.#links.values()].filter((l) => l.open.has(id)).map((l) => this.#other(l, id).id),
      close: (reason) => this.#close(ep, reason),
    };
  }

  #other(link: Link, id: NodeId): Endpoint {
    for (const [k, ep] of link.ends) if (k !== id) return ep;
    throw new Error('unreachable: a link has two ends');
  }

  /** Emits on a microtask, so no caller ever sees its own call re-enter it. */
  #emit<K extends keyof TransportEvents>(ep: Endpoint, event: K, payload: TransportEvents[K]): void {
    queueMicrotask(() => ep.deliver(event, payload));
  }

  #connect(from: Endpoint, peerId: NodeId): void {
    if (from.closing || peerId === from.id) return;
    const key = linkKey(from.id, peerId);
    if (this.#links.has(key)) return; // open, opening, or half-closed across a partition
    const to = this.#endpoints.get(peerId);
    if (!to) {
      this.#emit(from, 'peer-disconnected', { peerId, reason: 'unreachable: no such node' });
      return;
    }
    if (this.#blocked(from.id, peerId)) return; // never completes, like ICE across a dead path
    const link: Link = {
      key,
      ends: new Map([
        [from.id, from],
        [to.id, to],
      ]),
      open: new Set([from.id, to.id]),
      dirs: new Map(),
      closeOnHeal: undefined,
    };
    for (const [a, b] of [
      [from, to],
      [to, from],
    ] as const) {
      link.dirs.set(b.id, {
        from: a,
        to: b,
        queue: [],
        tailDue: 0,
        microtask: false,
        timer: undefined,
        timerDue: 0,
      });
    }
    this.#links.set(key, link);
    // Both candidates in one microtask: a message either side sends in response is queued behind them.
    queueMicrotask(() => {
      for (const [self, peer] of [
        [to, from],
        [from, to],
      ] as const) {
        if (this.#links.get(key) === link && link.open.has(self.id)) {
          self.deliver('peer-candidate', { peerId: peer.id });
        }
      }
    });
  }

  #send(from: Endpoint, peerId: NodeId, bytes: Uint8Array, channel: Channel): boolean {
    const link = this.#links.get(linkKey(from.id, peerId));
    if (from.closing || !link || !link.open.has(from.id)) return false;
    this.#stats.sent++;
    const dir = link.dirs.get(peerId);
    const faults = { ...this.#faults, ...this.#linkFaults.get(link.key) };
    if (
      !dir ||
      !link.open.has(peerId) ||
      this.#blocked(from.id, peerId) ||
      (faults.dropRate !== undefined && this.#random() < faults.dropRate)
    ) {
      this.#stats.dropped++;
      return true; // the sender cannot tell: the bytes left and were lost
    }
    const now = Date.now();
    const d = faults.delayMs;
    let due = now + (d === undefined ? 0 : typeof d === 'number' ? d : d[0] + this.#random() * (d[1] - d[0]));
    const held = faults.reorder !== undefined && this.#random() < faults.reorder;
    if (held) due += 1 + this.#random() * REORDER_HOLD_MS;
    else due = dir.tailDue = Math.max(due, dir.tailDue);
    const entry: InFlight = { bytes: bytes.slice(), channel, due };
    // Stable insert by due time: FIFO messages have non-decreasing `due`, so they stay in order.
    let i = dir.queue.length;
    while (i > 0 && (dir.queue[i - 1]?.due ?? 0) > due) i--;
    dir.queue.splice(i, 0, entry);
    this.#schedule(link, dir);
    return true;
  }

  #schedule(link: Link, dir: Direction): void {
    const head = dir.queue[0];
    if (!head) return;
    const wait = head.due - Date.now();
    if (wait <= 0) {
      if (dir.microtask) return;
      dir.microtask = true;
      queueMicrotask(() => {
        dir.microtask = false;
        this.#pump(link, dir);
      });
    } else if (dir.timer === undefined || dir.timerDue > head.due) {
      clearTimeout(dir.timer);
      dir.timerDue = head.due;
      dir.timer = setTimeout(() => {
        dir.timer = undefined;
        this.#pump(link, dir);
      }, wait);
    }
  }

  #pump(link: Link, dir: Direction): void {
    const now = Date.now();
    for (let n = 0; n < MAX_DELIVERIES_PER_TURN; n++) {
      const head = dir.queue[0];
      if (!head || head.due > now) break;
      dir.queue.shift();
      if (this.#links.get(link.key) !== link || !link.open.has(dir.to.id) || dir.to.closing) {
        if (head.closeReason === undefined) this.#stats.dropped++;
        this.#clear(dir);
        return;
      }
      if (head.closeReason !== undefined) {
        if (this.#blocked(dir.from.id, dir.to.id)) {
          link.closeOnHeal = {
            notify: dir.to.id,
            peer: dir.from.id,
            reason: `closed by peer: ${head.closeReason}`,
          };
        } else {
          this.#closeEnd(link, dir.to.id, dir.from.id, `closed by peer: ${head.closeReason}`);
        }
        return;
      }
      if (this.#blocked(dir.from.id, dir.to.id)) {
        this.#stats.dropped++;
        continue;
      }
      this.#stats.delivered++;
      dir.to.deliver('message', { from: dir.from.id, channel: head.channel, bytes: head.bytes });
    }
    this.#schedule(link, dir);
  }

  #disconnect(from: Endpoint, peerId: NodeId, reason: string): void {
    const link = this.#links.get(linkKey(from.id, peerId));
    if (!link || !link.open.has(from.id)) return;
    this.#closeEnd(link, from.id, peerId, reason);
    if (!link.open.has(peerId)) return;
    if (this.#blocked(from.id, peerId)) {
      link.closeOnHeal = { notify: peerId, peer: from.id, reason: `closed by peer: ${reason}` };
      return;
    }
    // The close notice travels behind whatever `from` already sent, so those messages arrive first.
    const dir = link.dirs.get(peerId);
    if (!dir) return;
    dir.queue.push({ bytes: new Uint8Array(0), channel: 'control', due: dir.tailDue, closeReason: reason });
    this.#schedule(link, dir);
  }

  /** Closes `self`'s end of the link and tells it; drops the link once both ends are closed. */
  #closeEnd(link: Link, self: NodeId, peer: NodeId, reason: string): void {
    if (!link.open.delete(self)) return;
    // Messages towards a closed end are lost (those from it still drain, see #disconnect).
    const inbound = link.dirs.get(self);
    if (inbound) this.#clear(inbound);
    const ep = link.ends.get(self);
    if (ep) this.#emit(ep, 'peer-disconnected', { peerId: peer, reason });
    if (link.open.size === 0 && this.#links.get(link.key) === link) {
      this.#links.delete(link.key);
      for (const dir of link.dirs.values()) this.#clear(dir);
    }
  }

  #clear(dir: Direction): void {
    this.#stats.dropped += dir.queue.filter((m) => m.closeReason === undefined).length;
    dir.queue.length = 0;
    clearTimeout(dir.timer);
    dir.timer = undefined;
  }

  #close(ep: Endpoint, reason: string): void {
    if (ep.closing) return;
    for (const link of [...this.#links.values()]) {
      if (link.open.has(ep.id)) this.#disconnect(ep, this.#other(link, ep.id).id, reason);
    }
    ep.closing = true;
    if (this.#endpoints.get(ep.id) === ep) this.#endpoints.delete(ep.id);
    this.#emit(ep, 'close', { reason });
  }
}
