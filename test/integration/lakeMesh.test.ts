// The room and mesh behind the LakeNode API (lake.room, lake.peers(), peer-joined/peer-left),
// in Node: LakeNodes on a MemoryNetwork, with an in-memory room directory standing in for the
// signaling server. The WebRTC version runs in Chromium (test/e2e/mesh.e2e.test.ts).
import { describe, expect, it } from 'vitest';
import { ConfigError, resolveConfig } from '../../src/lake/config.ts';
import { createLakeNode } from '../../src/lake/createLakeNode.ts';
import type { LakeNode } from '../../src/lake/LakeNode.ts';
import { Mesh, type MeshDirectory } from '../../src/lake/Mesh.ts';
import { parseRoomFragment, roomFragment, roomLink } from '../../src/lake/room.ts';
import { Emitter } from '../../src/net/Emitter.ts';
import { MemoryNetwork } from '../../src/net/MemoryNetwork.ts';
import { deriveRoomKeys, newRoomSecret } from '../../src/net/roomCrypto.ts';
import type { DeviceId, NodeId } from '../../src/types.ts';

interface DirectoryEvents {
  members: { peers: string[] };
  'peer-joined': { peerId: string };
  undecryptable: { from: string };
}

/** An in-memory signaling room: announces members on join, like the relay does. */
class FakeRoom {
  readonly #members = new Map<string, FakeDirectory>();

  join(id: string): FakeDirectory {
    const dir = new FakeDirectory(() => this.#members.delete(id));
    const others = [...this.#members.keys()];
    for (const m of this.#members.values())
      queueMicrotask(() => m.events.emit('peer-joined', { peerId: id }));
    this.#members.set(id, dir);
    queueMicrotask(() => dir.events.emit('members', { peers: others }));
    return dir;
  }
}

class FakeDirectory implements MeshDirectory {
  readonly events = new Emitter<DirectoryEvents>();
  state: MeshDirectory['state'] = 'joined';
  constructor(readonly leave: () => void) {}
  on<K extends keyof DirectoryEvents>(event: K, handler: (e: DirectoryEvents[K]) => void): () => void {
    return this.events.on(event, handler);
  }
  close(): void {
    this.state = 'closed';
    this.leave();
  }
}

const FAST = { heartbeatInterval: 50, discoveryInterval: 200 };

async function lakes(names: string[], secret = newRoomSecret()) {
  const keys = await deriveRoomKeys(secret);
  const net = new MemoryNetwork();
  const room = new FakeRoom();
  const nodes = names.map((name) => {
    const nodeId = `node-${name}-0000` as NodeId;
    const config = resolveConfig(FAST);
    const directory = room.join(nodeId);
    const mesh = new Mesh({
      deviceId: `device-${name}` as DeviceId,
      room: { id: keys.roomId, link: roomLink('http://lake.test', keys.roomId, secret) },
      authKey: keys.authKey,
      transport: net.createTransport(nodeId),
      directory,
      config,
      logger: { warn: () => undefined },
    });
    return { lake: createLakeNode({ nodeId, deviceId: `device-${name}`, config: FAST, mesh }), directory };
  });
  return { nodes, keys };
}

/** Waits (polling each heartbeat) until `lake` has `count` alive peers, each with an RTT. */
async function alive(lake: LakeNode, count: number): Promise<void> {
  for (let i = 0; i < 200; i++) {
    const peers = lake.peers().filter((p) => p.state === 'alive' && p.rttMs !== undefined);
    if (peers.length === count) return;
    await new Promise((r) => setTimeout(r, 25));
  }
  throw new Error(`${lake.nodeId}: ${JSON.stringify(lake.peers())}`);
}

describe('LakeNode in a room', () => {
  it('members meet through the directory: room info, peers with RTT, and peer events', async () => {
    const { nodes, keys } = await lakes(['a', 'b', 'c']);
    const joined: string[] = [];
    nodes[0]!.lake.on('peer-joined', (e) => joined.push(`${e.nodeId}/${e.deviceId}`));
    await Promise.all(nodes.map((n) => alive(n.lake, 2)));
    const a = nodes[0]!.lake;
    expect(a.room).toEqual({
      id: keys.roomId,
      link: expect.stringMatching(new RegExp(`^http://lake.test/#room=${keys.roomId}&key=`)) as string,
      members: 3,
      signaling: 'joined',
      refused: 0,
    });
    expect(a.peers().map((p) => ({ ...p, rttMs: typeof p.rttMs }))).toEqual([
      { nodeId: 'node-b-0000', deviceId: 'device-b', rttMs: 'number', state: 'alive', chunks: 0 },
      { nodeId: 'node-c-0000', deviceId: 'device-c', rttMs: 'number', state: 'alive', chunks: 0 },
    ]);
    expect(joined.sort()).toEqual(['node-b-0000/device-b', 'node-c-0000/device-c']);

    // Closing a node leaves the room at once: the others see peer-left without waiting for heartbeats.
    const left = new Promise<{ nodeId: string; reason: string }>((r) => a.on('peer-left', r));
    await nodes[2]!.lake.close();
    expect(await left).toMatchObject({ nodeId: 'node-c-0000' });
    expect(nodes[2]!.directory.state).toBe('closed');
    expect(nodes[2]!.lake.peers()).toEqual([]);
    await Promise.all(nodes.slice(0, 2).map((n) => n.lake.close()));
  });

  it('a member the directory reports as holding another key is counted as refused', async () => {
    const { nodes } = await lakes(['a']);
    nodes[0]!.directory.events.emit('undecryptable', { from: 'node-x-0000' });
    nodes[0]!.directory.events.emit('undecryptable', { from: 'node-x-0000' });
    expect(nodes[0]!.lake.room?.refused).toBe(1);
    await nodes[0]!.lake.close();
  });

  it('a lake without a mesh is alone: no room, no peers; a mesh built for another node is refused', async () => {
    const lake = createLakeNode();
    expect(lake.room).toBeUndefined();
    expect(lake.peers()).toEqual([]);
    const keys = await deriveRoomKeys(newRoomSecret());
    const nodeId = 'node-a-0000' as NodeId;
    const mesh = new Mesh({
      deviceId: 'device-a' as DeviceId,
      room: { id: keys.roomId, link: 'http://lake.test/' },
      authKey: keys.authKey,
      transport: new MemoryNetwork().createTransport(nodeId),
      config: resolveConfig(FAST),
    });
    expect(() => createLakeNode({ nodeId: 'node-b-0000', mesh })).toThrow(/built for node node-a-0000/);
    mesh.close();
  });
});

describe('room links', () => {
  it('parses and builds #room=<id>&key=<secret>', () => {
    const id = 'A'.repeat(22);
    expect(parseRoomFragment(`#room=${id}&key=secret_value-123`)).toEqual({
      room: id,
      key: 'secret_value-123',
    });
    expect(parseRoomFragment('#key=abc')).toEqual({ key: 'abc' });
    expect(parseRoomFragment('#room=short&key=abc')).toEqual({ key: 'abc' });
    expect(parseRoomFragment('')).toEqual({});
    expect(roomFragment(id, 'k')).toBe(`#room=${id}&key=k`);
    expect(roomLink('https://x.example', id, 'k')).toBe(`https://x.example/#room=${id}&key=k`);
  });
});

describe('mesh config', () => {
  it('validates minPeers (at most maxPeers) and iceServers', () => {
    expect(resolveConfig({}).minPeers).toBe(3);
    expect(resolveConfig({}).iceServers).toEqual([]);
    const ice = [
      { urls: ['stun:stun.example.org:3478'] },
      { urls: 'turn:t.example.org', username: 'u', credential: 'c' },
    ];
    expect(resolveConfig({ iceServers: ice }).iceServers).toEqual(ice);
    expect(() => resolveConfig({ minPeers: 10, maxPeers: 5 })).toThrow(ConfigError);
    expect(() => resolveConfig({ minPeers: 0 })).toThrow(/minPeers/);
    expect(() => resolveConfig({ iceServers: [{ urls: 'http://x' }] })).toThrow(/iceServers/);
    expect(() => resolveConfig({ iceServers: [{ urls: [] }] })).toThrow(/iceServers/);
    expect(() => resolveConfig({ iceServers: [{ urls: 'stun:x', extra: 1 }] })).toThrow(/iceServers/);
    expect(() => resolveConfig({ iceServers: 'stun:x' })).toThrow(/iceServers/);
  });
});
