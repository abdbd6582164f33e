import type { IngestProgress } from '../ingest/ingestFile.ts';
import type { ColumnSchema, SourceFormat } from '../storage/manifest.ts';
import type { DatasetId } from '../types.ts';

/** What `lake.datasets()` returns for each dataset (DESIGN §13). */
export interface DatasetInfo {
  id: DatasetId;
  name: string;
  format: SourceFormat;
  source: { name: string; bytes: number };
  rows: number;
  /** Stored bytes (Arrow chunks). */
  bytes: number;
  chunks: number;
  /** Hex SHA-256 Merkle root over the chunk ids. */
  checksum: string;
  schema: ColumnSchema[];
  status: 'pending' | 'committed';
  createdAt: number;
  replication: ReplicationInfo;
}

export interface ReplicationInfo {
  /** The configured replication factor. */
  target: number;
  /** Live holders of the least-replicated chunk. */
  holders: number;
  /**
   * healthy: every chunk has min(target, live nodes) holders; under-replicated: fewer;
   * unavailable: some chunk has no live holder.
   */
  state: 'healthy' | 'under-replicated' | 'unavailable';
}

export interface ChunkProblem {
  index: number;
  id: string;
  problem: 'missing' | 'hash-mismatch' | 'unreadable' | 'row-count';
  detail?: string;
}

export interface VerifyReport {
  dataset: string;
  ok: boolean;
  chunks: number;
  bytes: number;
  bad: ChunkProblem[];
  root: { expected: string; actual: string; ok: boolean };
  ms: number;
}

export interface QueryResult {
  columns: { name: string; type: string }[];
  /**
   * JSON-safe rows: BIGINT as a number when safe, else a decimal string; DATE as YYYY-MM-DD;
   * TIMESTAMP as an ISO string. Built on first access, so large results cost nothing until read.
   */
  readonly rows: Record<string, unknown>[];
  rowCount: number;
  /** ms, measured in the query worker. */
  executionTime: number;
  /** The plan that ran, as EXPLAIN prints it. */
  plan?: string;
  /** The result as Arrow IPC stream bytes. */
  arrow(): Uint8Array;
  /**
   * Only with `allowPartial`: some chunks had no live holder and were left out, per dataset. The
   * result then covers only the other chunks.
   */
  partial?: { dataset: string; chunks: number }[];
  /** Served from the query cache (config `queryCache`). */
  cached?: boolean;
}

/** What `lake.peers()` returns for each peer (DESIGN §13). */
export interface PeerInfo {
  nodeId: string;
  /** Known once its handshake arrived. */
  deviceId?: string;
  /** Smoothed heartbeat round trip; absent until the first heartbeat was answered. */
  rttMs?: number;
  /** `connecting` covers dialling and the handshake; `suspect` missed a heartbeat. */
  state: 'connecting' | 'alive' | 'suspect';
  /** Chunks this peer holds for us: 0 until replication lands. */
  chunks: number;
}

/** `lake.room` (DESIGN §13): the room this node is in, and how it is doing. */
export interface RoomInfo {
  /** `base64url(SHA-256(secret))[0..22]`: what the signaling server sees. */
  id: string;
  /** `<origin>/#room=<id>&key=<secret>`: opening it joins the room. The secret is only in the fragment. */
  link: string;
  /** This node plus its authenticated peers. */
  members: number;
  /** The signaling server connection; the mesh keeps working without it once formed. */
  signaling: 'connecting' | 'joined' | 'closed';
  /** Nodes refused because they do not hold this room's key (wrong link), so far. */
  refused: number;
}

export interface QueryProgress {
  query: string;
  chunksDone: number;
  chunksTotal: number;
  rowsScanned: number;
  /** Fragments finished and started (retries included); a local query is one fragment. */
  fragmentsDone: number;
  fragmentsTotal: number;
  /** Partial-result bytes received from executors. */
  bytesReceived: number;
}

export interface SqlOptions {
  /** Deadline in ms; default config.maxQueryTime. */
  timeoutMs?: number;
  signal?: AbortSignal;
  onProgress?: (p: QueryProgress) => void;
  /**
   * When some chunks have no live holder: return a result over the others, flagged
   * `partial`, instead of failing with SqlError UNAVAILABLE.
   */
  allowPartial?: boolean;
}

export interface StorageInfo {
  /** From navigator.storage.estimate(), when the platform has it. */
  usage?: number;
  quota?: number;
  persisted?: boolean;
  /** What this node stores. */
  chunks: number;
  bytes: number;
  datasets: number;
}

export type { IngestProgress };

export interface IngestOptions {
  /** Table name; default: from the file name, made unique. */
  table?: string;
  format?: SourceFormat;
  onProgress?: (p: IngestProgress) => void;
  signal?: AbortSignal;
}

export interface LakeEvents {
  'dataset-added': DatasetInfo;
  'dataset-removed': { id: DatasetId; name: string };
  'ingest-progress': IngestProgress & { file: string; table: string };
  /** A peer proved it holds the room key (mesh handshake). */
  'peer-joined': { nodeId: string; deviceId: string };
  /** An authenticated peer is gone: its connection closed, or 3 heartbeats were missed (`timeout`). */
  'peer-left': { nodeId: string; reason: string };
  // Emitted once replication and distributed query land (later issues).
  replication: { dataset: string };
  'query-progress': QueryProgress;
}
