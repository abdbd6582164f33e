// Bundled by test/e2e/bundle.ts for bench/mesh.bench.ts: the test harness's WebRtcTransports
// (window.rtc) plus in-page measurement loops, and a raw RTCDataChannel pair as the baseline.
// Times are wall-clock (performance.timeOrigin + now), comparable between pages of one machine.
import '../../test/e2e/browser/rtc.entry.ts';
import type { Channel } from '../../src/net/Transport.ts';
import type { NodeId } from '../../src/types.ts';

const PING = 0x50;
const BULK = 0x42;
const PONG = 0x51;
/** The raw baseline sends like a careful app would: 64 KiB messages, 1 MiB in flight, refill at 256 KiB. */
const RAW_MESSAGE = 64 * 1024;
const RAW_HIGH_WATER = 1024 * 1024;
const RAW_LOW_WATER = 256 * 1024;

const clock = (): number => performance.timeOrigin + performance.now();
const t = (id: string) => window.rtc.transport(id);

let raw: { pc: RTCPeerConnection; dc: RTCDataChannel; ctl: RTCDataChannel } | undefined;

export interface MeshBench {
  /** Answers every ping (first byte 0x50) on the channel it came on. */
  echo(id: string): void;
  /** `n` sequential round trips of `size`-byte pings on `channel`; RTTs in ms. `gapMs` between pings. */
  ping(
    id: string,
    peer: string,
    size: number,
    n: number,
    channel: Channel,
    gapMs?: number,
  ): Promise<number[]>;
  /**
   * Pings on `channel` every `gapMs` for as long as a bulk send of `total` bytes runs (sender side:
   * until the last message is in the channel); the RTTs of the pings answered meanwhile.
   */
  pingDuringBulk(
    id: string,
    peer: string,
    total: number,
    size: number,
    channel: Channel,
    gapMs: number,
  ): Promise<number[]>;
  /** Sends `total` bytes as `message`-byte bulk messages, awaiting each send; returns the start time. */
  bulkSend(id: string, peer: string, total: number, message: number): Promise<number>;
  /** Resolves with the time the last of `total` bulk bytes arrived. */
  bulkReceive(id: string, total: number): Promise<number>;
  rawCreate(): void;
  /** Raw counterpart of {@link pingDuringBulk}: pings on a second raw channel during a raw bulk send. */
  rawPingDuringBulk(total: number, size: number, gapMs: number): Promise<number[]>;
  rawOffer(): Promise<string>;
  rawAnswer(offer: string): Promise<string>;
  rawAccept(answer: string): Promise<void>;
  rawOpen(): Promise<void>;
  rawSend(total: number): Promise<number>;
  rawReceive(total: number): Promise<number>;
}

declare global {
  interface Window {
    meshBench: MeshBench;
  }
}

async function gathered(pc: RTCPeerConnection): Promise<string> {
  if (pc.iceGatheringState !== 'complete') {
    await new Promise<void>((done) =>
      pc.addEventListener('icegatheringstatechange', () => pc.iceGatheringState === 'complete' && done()),
    );
  }
  return pc.localDescription!.sdp;
}

window.meshBench = {
  echo(id) {
    const tr = t(id);
    tr.on('message', (m) => {
      if (m.bytes[0] === PING) void tr.send(m.from, m.bytes, m.channel).catch(() => undefined);
    });
  },
  async ping(id, peer, size, n, channel, gapMs = 0) {
    const tr = t(id);
    const rtts: number[] = [];
    const msg = new Uint8Array(size);
    msg[0] = PING;
    for (let i = 0; i < n; i++) {
      const back = new Promise<void>((done) => {
        const off = tr.on('message', (m) => {
          if (m.bytes[0] !== PING || m.channel !== channel) return;
          off();
          done();
        });
      });
      const start = performance.now();
      await tr.send(peer as NodeId, msg, channel);
      await back;
      rtts.push(performance.now() - start);
      if (gapMs) await new Promise((r) => setTimeout(r, gapMs));
    }
    return rtts;
  },
  async pingDuringBulk(id, peer, total, size, channel, gapMs) {
    let sending = true;
    const sent = window.meshBench.bulkSend(id, peer, total, 1024 * 1024).finally(() => (sending = false));
    const rtts: number[] = [];
    while (sending) {
      const [rtt] = await window.meshBench.ping(id, peer, size, 1, channel);
      if (sending) rtts.push(rtt!);
      await new Promise((r) => setTimeout(r, gapMs));
    }
    await sent;
    return rtts;
  },
  async bulkSend(id, peer, total, message) {
    const tr = t(id);
    const msg = new Uint8Array(message);
    msg[0] = BULK;
    const start = clock();
    for (let sent = 0; sent < total; sent += message) await tr.send(peer as NodeId, msg, 'bulk');
    return start;
  },
  bulkReceive(id, total) {
    const tr = t(id);
    return new Promise((done) => {
      let got = 0;
      const off = tr.on('message', (m) => {
        if (m.bytes[0] !== BULK) return;
        got += m.bytes.byteLength;
        if (got < total) return;
        off();
        done(clock());
      });
    });
  },
  rawCreate() {
    raw?.pc.close();
    const pc = new RTCPeerConnection({ iceServers: [] });
    const dc = pc.createDataChannel('raw', { negotiated: true, id: 0, ordered: true });
    dc.binaryType = 'arraybuffer';
    dc.bufferedAmountLowThreshold = RAW_LOW_WATER;
    // A second channel for pings, with the same priority setting as our control channel; it echoes.
    const ctl = pc.createDataChannel('raw-control', {
      negotiated: true,
      id: 1,
      ordered: true,
      priority: 'high',
    } as RTCDataChannelInit);
    ctl.binaryType = 'arraybuffer';
    ctl.addEventListener('message', (e: MessageEvent<ArrayBuffer>) => {
      const b = new Uint8Array(e.data);
      if (b[0] === PING) ctl.send(Uint8Array.of(PONG, ...b.subarray(1)));
    });
    raw = { pc, dc, ctl };
  },
  async rawOffer() {
    const { pc } = raw!;
    await pc.setLocalDescription(await pc.createOffer());
    return gathered(pc);
  },
  async rawAnswer(offer) {
    const { pc } = raw!;
    await pc.setRemoteDescription({ type: 'offer', sdp: offer });
    await pc.setLocalDescription(await pc.createAnswer());
    return gathered(pc);
  },
  async rawAccept(answer) {
    await raw!.pc.setRemoteDescription({ type: 'answer', sdp: answer });
  },
  async rawOpen() {
    const { dc } = raw!;
    if (dc.readyState !== 'open')
      await new Promise((done) => dc.addEventListener('open', done, { once: true }));
  },
  async rawPingDuringBulk(total, size, gapMs) {
    const { ctl } = raw!;
    let sending = true;
    const sent = window.meshBench.rawSend(total).finally(() => (sending = false));
    const rtts: number[] = [];
    const msg = new Uint8Array(size);
    msg[0] = PING;
    while (sending) {
      const start = performance.now();
      const back = new Promise<void>((done) =>
        ctl.addEventListener(
          'message',
          (e: MessageEvent<ArrayBuffer>) => new Uint8Array(e.data)[0] === PONG && done(),
        ),
      );
      ctl.send(msg);
      await back;
      if (sending) rtts.push(performance.now() - start);
      await new Promise((r) => setTimeout(r, gapMs));
    }
    await sent;
    return rtts;
  },
  rawSend(total) {
    const { dc } = raw!;
    const msg = new Uint8Array(RAW_MESSAGE);
    const start = clock();
    let sent = 0;
    return new Promise((done) => {
      const pump = () => {
        while (sent < total && dc.bufferedAmount < RAW_HIGH_WATER) {
          dc.send(msg);
          sent += RAW_MESSAGE;
        }
        if (sent >= total) {
          dc.removeEventListener('bufferedamountlow', pump);
          done(start);
        }
      };
      dc.addEventListener('bufferedamountlow', pump);
      pump();
    });
  },
  rawReceive(total) {
    const { dc } = raw!;
    return new Promise((done) => {
      let got = 0;
      const on = (e: MessageEvent<ArrayBuffer>) => {
        got += e.data.byteLength;
        if (got < total) return;
        dc.removeEventListener('message', on);
        done(clock());
      };
      dc.addEventListener('message', on);
    });
  },
};
