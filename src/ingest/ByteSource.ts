/**
 * What ingest reads: a Blob (a dropped File in the browser, a Blob in Node). Readers stream it with
 * `blob.stream()` or read byte ranges with `blob.slice()`, so a 1 GB file is never held whole.
 */
export interface ByteSource {
  /** The file name the user gave; used for the dataset name and format sniffing. */
  name: string;
  blob: Blob;
}

export type IngestInput =
  Blob | { name: string; text?: string; bytes?: Uint8Array; blob?: Blob; format?: string };

export function toByteSource(input: IngestInput): ByteSource {
  if (input instanceof Blob) {
    const name = 'name' in input && typeof input.name === 'string' ? input.name : 'data';
    return { name, blob: input };
  }
  const parts: BlobPart[] = [];
  if (input.blob) return { name: input.name, blob: input.blob };
  if (input.bytes) parts.push(input.bytes as Uint8Array<ArrayBuffer>);
  else if (input.text !== undefined) parts.push(input.text);
  return { name: input.name, blob: new Blob(parts) };
}

/** Reads `[start, end)` of a blob. */
export async function readRange(blob: Blob, start: number, end: number): Promise<Uint8Array> {
  return new Uint8Array(await blob.slice(start, end).arrayBuffer());
}
