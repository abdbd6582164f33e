/**
 * Node configuration. Defaults follow DESIGN §14 (from the original spec's config); every key
 * can be overridden through `?config=<json>` in the URL or `createLakeNode({ config })`.
 */
export interface LakeConfig {
  /** Most mesh connections a node keeps (and the signaling server's room size). */
  maxPeers: number;
  /** Below this many connections a node dials every peer it knows of and asks its peers for more. */
  minPeers: number;
  /** STUN/TURN servers for WebRTC. Default none: host candidates only (a LAN or one machine). */
  iceServers: IceServerConfig[];
  /** ms */
  discoveryInterval: number;
  /** ms */
  heartbeatInterval: number;
  /** Target bytes per stored chunk. */
  chunkSize: number;
  replicationFactor: number;
  compression: 'off' | 'lz4' | 'zstd';
  /** ms */
  maxQueryTime: number;
  /** Bytes of decoded chunks the query worker keeps. */
  cacheSize: number;
  /** Bytes one query may hold in hash tables, sort buffers and join builds before it fails cleanly. */
  queryMemory: number;
  queryCache: boolean;
  /** A line (row) longer than this is rejected: protects against binary or one-line files. */
  maxRowBytes: number;
  /** Largest file ingest accepts. */
  maxFileBytes: number;
  /** CSV/TSV rows whose field count differs from the header: reject the file, or skip them. */
  raggedRows: 'reject' | 'skip';
}

/** One STUN or TURN server, as RTCIceServer takes it. */
export interface IceServerConfig {
  urls: string | string[];
  username?: string;
  credential?: string;
}

const MiB = 1024 * 1024;

export const DEFAULT_CONFIG: Readonly<LakeConfig> = Object.freeze({
  maxPeers: 50,
  minPeers: 3,
  iceServers: Object.freeze([]) as unknown as IceServerConfig[],
  discoveryInterval: 30_000,
  heartbeatInterval: 10_000,
  chunkSize: 1 * MiB,
  replicationFactor: 3,
  compression: 'off',
  maxQueryTime: 300_000,
  cacheSize: 1024 * MiB,
  queryMemory: 512 * MiB,
  queryCache: true,
  maxRowBytes: 4 * MiB,
  maxFileBytes: 16 * 1024 * MiB,
  raggedRows: 'reject',
});

type Check = (v: unknown) => boolean;
const int =
  (min: number, max: number): Check =>
  (v) =>
    typeof v === 'number' && Number.isInteger(v) && v >= min && v <= max;
const oneOf =
  (...opts: string[]): Check =>
  (v) =>
    typeof v === 'string' && opts.includes(v);

const ICE_URL = /^(stun|stuns|turn|turns):[^\s]{1,500}$/;
const isIceServer = (v: unknown): boolean => {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) return false;
  const { urls, username, credential, ...rest } = v as Record<string, unknown>;
  const list = typeof urls === 'string' ? [urls] : urls;
  return (
    Object.keys(rest).length === 0 &&
    Array.isArray(list) &&
    list.length > 0 &&
    list.every((u) => typeof u === 'string' && ICE_URL.test(u)) &&
    (username === undefined || typeof username === 'string') &&
    (credential === undefined || typeof credential === 'string')
  );
};

const RULES: Record<keyof LakeConfig, { check: Check; expect: string }> = {
  maxPeers: { check: int(1, 1000), expect: 'an integer from 1 to 1000' },
  minPeers: { check: int(1, 1000), expect: 'an integer from 1 to 1000, at most maxPeers' },
  iceServers: {
    check: (v) => Array.isArray(v) && v.length <= 16 && v.every(isIceServer),
    expect: 'a list of at most 16 {urls, username?, credential?} with stun:, stuns:, turn: or turns: URLs',
  },
  discoveryInterval: { check: int(100, 3_600_000), expect: 'milliseconds from 100 to 3600000' },
  heartbeatInterval: { check: int(50, 600_000), expect: 'milliseconds from 50 to 600000' },
  chunkSize: { check: int(4096, 64 * MiB), expect: 'bytes from 4096 to 67108864' },
  replicationFactor: { check: int(1, 16), expect: 'an integer from 1 to 16' },
  compression: { check: oneOf('off', 'lz4', 'zstd'), expect: '"off", "lz4" or "zstd"' },
  maxQueryTime: { check: int(100, 86_400_000), expect: 'milliseconds from 100 to 86400000' },
  cacheSize: { check: int(MiB, 64 * 1024 * MiB), expect: 'bytes from 1 MiB to 64 GiB' },
  queryMemory: { check: int(MiB, 64 * 1024 * MiB), expect: 'bytes from 1 MiB to 64 GiB' },
  queryCache: { check: (v) => typeof v === 'boolean', expect: 'true or false' },
  maxRowBytes: { check: int(1024, 256 * MiB), expect: 'bytes from 1024 to 268435456' },
  maxFileBytes: { check: int(1, Number.MAX_SAFE_INTEGER), expect: 'a positive number of bytes' },
  raggedRows: { check: oneOf('reject', 'skip'), expect: '"reject" or "skip"' },
};

export class ConfigError extends Error {
  override name = 'ConfigError';
}

/** Validates overrides and merges them over the defaults; unknown keys and bad values are errors. */
export function resolveConfig(overrides: unknown = {}): LakeConfig {
  if (overrides === null || typeof overrides !== 'object' || Array.isArray(overrides)) {
    throw new ConfigError('config must be an object, e.g. {"chunkSize": 1048576}');
  }
  const out: Record<string, unknown> = { ...DEFAULT_CONFIG };
  for (const [key, value] of Object.entries(overrides)) {
    const rule = RULES[key as keyof LakeConfig] as (typeof RULES)[keyof LakeConfig] | undefined;
    if (!rule)
      throw new ConfigError(`unknown config key "${key}"; known keys: ${Object.keys(RULES).join(', ')}`);
    if (!rule.check(value))
      throw new ConfigError(`config "${key}" must be ${rule.expect}, got ${JSON.stringify(value)}`);
    out[key] = value;
  }
  const config = out as unknown as LakeConfig;
  if (config.minPeers > config.maxPeers) {
    throw new ConfigError(
      `config "minPeers" (${config.minPeers}) must not exceed "maxPeers" (${config.maxPeers})`,
    );
  }
  return config;
}

/** Reads `?config=<json>` from a URL query string. */
export function configFromQuery(search: string): unknown {
  const raw = new URLSearchParams(search).get('config');
  if (!raw) return {};
  try {
    return JSON.parse(raw) as unknown;
  } catch {
    throw new ConfigError(`?config= is not valid JSON: ${raw.slice(0, 80)}`);
  }
}
