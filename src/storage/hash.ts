import type { ChunkId } from '../types.ts';

const HEX = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, '0'));

export function toHex(bytes: Uint8Array): string {
  let out = '';
  for (let i = 0; i < bytes.length; i++) out += HEX[bytes[i]!];
  return out;
}

export function fromHex(hex: string): Uint8Array {
  const out = new Uint8Array(hex.length >>> 1);
  for (let i = 0; i < out.length; i++) out[i] = parseInt(hex.slice(i * 2, i * 2 + 2), 16);
  return out;
}

/** WebCrypto SHA-256 (native in browsers, workers and Node 20). */
export async function sha256Hex(bytes: Uint8Array): Promise<string> {
  const digest = await crypto.subtle.digest('SHA-256', bytes as Uint8Array<ArrayBuffer>);
  return toHex(new Uint8Array(digest));
}

export async function chunkIdOf(bytes: Uint8Array): Promise<ChunkId> {
  return (await sha256Hex(bytes)) as ChunkId;
}

/** The dataset root: SHA-256 over the concatenated binary chunk digests, in manifest order. */
export async function rootOf(ids: readonly ChunkId[]): Promise<string> {
  const all = new Uint8Array(ids.length * 32);
  ids.forEach((id, i) => all.set(fromHex(id), i * 32));
  return sha256Hex(all);
}
