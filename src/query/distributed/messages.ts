import { Decoder, Encoder } from '@msgpack/msgpack';
import type { PlanNode } from '../../sql/plan.ts';
import { FragmentError } from './FragmentError.ts';
import { decodePlan, encodePlan, PLAN_FORMAT } from './planCodec.ts';

/**
 * Payloads of the query messages (src/net/wire.ts carries them opaquely):
 * - `query-fragment` (coordinator → executor, control channel; bulk when it carries broadcast
 *   data): {@link FragmentRequest};
 * - `query-response` (executor → coordinator): {@link FragmentResponse}; result parts and the
 *   final `done` on the bulk channel, progress and errors on control;
 * - `query-cancel` (coordinator → executor, control): a reason.
 * The header `id` of all three is the fragment attempt's id. `query-request` is not used: a
 * query is only ever sent as fragments.
 *
 * Every payload starts with {@link PLAN_FORMAT}; another number is refused with `VERSION`.
 */
export interface FragmentRequest {
  /** The coordinator's query id, for logs and stats. */
  queryId: string;
  /** ms the executor may spend, from receipt (clocks of tabs differ, so never an absolute time). */
  timeoutMs: number;
  /** Bytes the coordinator allows; the executor uses the smaller of this and its own budget. */
  memoryBudget: number;
  plan: PlanNode;
  /** The broadcast sides the plan reads: exchange id → Arrow IPC streams. */
  broadcasts: { id: string; parts: Uint8Array[] }[];
}

export type FragmentResponse =
  /** Sent when accepted (queued), then as chunks are scanned, and as a keepalive. */
  | { kind: 'progress'; chunksDone: number; chunksTotal: number; rowsScanned: number; queued: number }
  /** One piece of the result's IPC stream bytes; the pieces concatenate in index order. */
  | { kind: 'part'; index: number; bytes: Uint8Array }
  /** The result is complete: `parts` pieces were sent. */
  | { kind: 'done'; parts: number; rows: number; rowsScanned: number; ms: number; queued: number }
  /** The fragment failed; `retryable` errors make the coordinator try other holders. */
  | { kind: 'error'; code: string; message: string; retryable: boolean };

/** Result bytes per `part` message: big results stream in pieces, each well under the wire limit. */
export const PART_BYTES = 4 * 1024 * 1024;
/** Broadcast parts per fragment, strings and so on: bounds for the envelope decoder. */
const MAX_BROADCASTS = 16;
const MAX_BROADCAST_PARTS = 4096;
const MAX_MESSAGE = 2048;
const MAX_TIMEOUT_MS = 86_400_000;

const encoder = new Encoder();
/** msgpack bounded so a hostile payload cannot make it allocate much; no maps or extensions. */
const decoder = new Decoder({
  maxStrLength: 1024 * 1024,
  maxBinLength: 64 * 1024 * 1024,
  maxArrayLength: 200_000,
  maxMapLength: 0,
  maxExtLength: 0,
});

export function encodeFragmentRequest(r: FragmentRequest): Uint8Array {
  return encoder.encode([
    PLAN_FORMAT,
    r.queryId,
    r.timeoutMs,
    r.memoryBudget,
    encodePlan(r.plan),
    r.broadcasts.map((b) => [b.id, b.parts]),
  ]);
}

/** Decodes and validates a fragment (see planCodec.ts). Throws FragmentError. */
export function decodeFragmentRequest(bytes: Uint8Array): FragmentRequest {
  const a = decodeArray(bytes, 6, 'query-fragment');
  const [, queryId, timeoutMs, memoryBudget, plan, rawBroadcasts] = a;
  if (typeof queryId !== 'string' || queryId.length === 0 || queryId.length > 64) throw invalid('query id');
  if (typeof timeoutMs !== 'number' || !(timeoutMs > 0 && timeoutMs <= MAX_TIMEOUT_MS))
    throw invalid('timeout');
  if (typeof memoryBudget !== 'number' || !(memoryBudget > 0) || !Number.isFinite(memoryBudget))
    throw invalid('memory budget');
  if (!Array.isArray(rawBroadcasts) || rawBroadcasts.length > MAX_BROADCASTS) throw invalid('broadcasts');
  const broadcasts = rawBroadcasts.map((b: unknown) => {
    if (!Array.isArray(b) || b.length !== 2) throw invalid('broadcast entry');
    const [id, parts] = b as unknown[];
    if (typeof id !== 'string' || !/^[a-z][0-9]{1,6}$/.test(id)) throw invalid('broadcast id');
    if (
      !Array.isArray(parts) ||
      parts.length > MAX_BROADCAST_PARTS ||
      !parts.every((p) => p instanceof Uint8Array)
    )
      throw invalid('broadcast parts');
    return { id, parts: parts };
  });
  if (new Set(broadcasts.map((b) => b.id)).size !== broadcasts.length) throw invalid('duplicate broadcast');
  return {
    queryId,
    timeoutMs,
    memoryBudget,
    plan: decodePlan(plan, { broadcasts: new Set(broadcasts.map((b) => b.id)) }),
    broadcasts,
  };
}

export function encodeFragmentResponse(r: FragmentResponse): Uint8Array {
  switch (r.kind) {
    case 'progress':
      return encoder.encode([PLAN_FORMAT, 0, r.chunksDone, r.chunksTotal, r.rowsScanned, r.queued]);
    case 'part':
      return encoder.encode([PLAN_FORMAT, 1, r.index, r.bytes]);
    case 'done':
      return encoder.encode([PLAN_FORMAT, 2, r.parts, r.rows, r.rowsScanned, r.ms, r.queued]);
    case 'error':
      return encoder.encode([PLAN_FORMAT, 3, r.code, r.message.slice(0, MAX_MESSAGE), r.retryable]);
  }
}

/** Decodes a response from an executor; throws FragmentError for anything malformed. */
export function decodeFragmentResponse(bytes: Uint8Array): FragmentResponse {
  const a = decodeArray(bytes, undefined, 'query-response');
  const count = (v: unknown) =>
    typeof v === 'number' && Number.isInteger(v) && v >= 0 && v <= Number.MAX_SAFE_INTEGER;
  const num = (v: unknown) => typeof v === 'number' && Number.isFinite(v) && v >= 0;
  switch (a[1]) {
    case 0:
      if (a.length === 6 && count(a[2]) && count(a[3]) && count(a[4]) && count(a[5]))
        return {
          kind: 'progress',
          chunksDone: a[2] as number,
          chunksTotal: a[3] as number,
          rowsScanned: a[4] as number,
          queued: a[5] as number,
        };
      break;
    case 1:
      if (a.length === 4 && count(a[2]) && a[3] instanceof Uint8Array && a[3].byteLength <= PART_BYTES)
        return { kind: 'part', index: a[2] as number, bytes: a[3] };
      break;
    case 2:
      if (a.length === 7 && count(a[2]) && count(a[3]) && count(a[4]) && num(a[5]) && count(a[6]))
        return {
          kind: 'done',
          parts: a[2] as number,
          rows: a[3] as number,
          rowsScanned: a[4] as number,
          ms: a[5] as number,
          queued: a[6] as number,
        };
      break;
    case 3:
      if (
        a.length === 5 &&
        typeof a[2] === 'string' &&
        /^[A-Z_]{1,32}$/.test(a[2]) &&
        typeof a[3] === 'string' &&
        typeof a[4] === 'boolean'
      )
        return { kind: 'error', code: a[2], message: a[3].slice(0, MAX_MESSAGE), retryable: a[4] };
      break;
  }
  throw invalid('query-response');
}

export function encodeCancel(reason: string): Uint8Array {
  return encoder.encode([PLAN_FORMAT, reason.slice(0, MAX_MESSAGE)]);
}

export function decodeCancel(bytes: Uint8Array): string {
  const a = decodeArray(bytes, 2, 'query-cancel');
  if (typeof a[1] !== 'string') throw invalid('query-cancel');
  return a[1].slice(0, MAX_MESSAGE);
}

function decodeArray(bytes: Uint8Array, length: number | undefined, what: string): unknown[] {
  let v: unknown;
  try {
    v = decoder.decode(bytes);
  } catch (err) {
    throw invalid(`${what} is not valid msgpack (${err instanceof Error ? err.message : String(err)})`);
  }
  if (!Array.isArray(v) || v.length < 2) throw invalid(`${what} is not an array`);
  if (v[0] !== PLAN_FORMAT) {
    throw new FragmentError(
      'VERSION',
      `${what} in format ${String(v[0])}; this tab speaks ${PLAN_FORMAT}: reload the older tab`,
    );
  }
  if (length !== undefined && v.length !== length) throw invalid(`${what} has ${v.length} fields`);
  return v as unknown[];
}

function invalid(what: string): FragmentError {
  return new FragmentError('INVALID_FRAGMENT', `invalid ${what}`);
}
