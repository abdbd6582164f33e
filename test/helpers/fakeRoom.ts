// An in-memory signaling room for LakeNodes on a MemoryNetwork: announces members on join, like
// the relay does (signaling-server/server.ts), so meshes form without a server.
import type { MeshDirectory } from '../../src/lake/Mesh.ts';
import { Emitter } from '../../src/net/Emitter.ts';

interface DirectoryEvents {
  members: { peers: string[] };
  'peer-joined': { peerId: string };
  undecryptable: { from: string };
}

export class FakeRoom {
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

export class FakeDirectory implements MeshDirectory {
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
