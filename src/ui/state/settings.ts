import { DEFAULT_CONFIG, resolveConfig, type LakeConfig } from '../../lake/config.ts';

export type SettingKind = 'ms' | 'bytes' | 'count' | 'bool' | 'enum' | 'json';

export interface SettingDef {
  key: keyof LakeConfig;
  label: string;
  kind: SettingKind;
  options?: string[];
  help: string;
  /** Listed in DESIGN §14 (the original spec's config), else one of ours. */
  spec: boolean;
}

/** Every config key, in the order the Settings pane shows them. */
export const SETTINGS: SettingDef[] = [
  {
    key: 'maxPeers',
    label: 'Max peers',
    kind: 'count',
    spec: true,
    help: 'Most mesh connections this node keeps; also the room size.',
  },
  {
    key: 'discoveryInterval',
    label: 'Discovery interval',
    kind: 'ms',
    spec: true,
    help: 'How often peers exchange member lists.',
  },
  {
    key: 'heartbeatInterval',
    label: 'Heartbeat interval',
    kind: 'ms',
    spec: true,
    help: 'A peer is dropped after three missed heartbeats.',
  },
  {
    key: 'chunkSize',
    label: 'Chunk size',
    kind: 'bytes',
    spec: true,
    help: 'Target bytes per stored chunk (new uploads).',
  },
  {
    key: 'replicationFactor',
    label: 'Replication factor',
    kind: 'count',
    spec: true,
    help: 'Copies kept of every chunk.',
  },
  {
    key: 'compression',
    label: 'Compression',
    kind: 'enum',
    options: ['off', 'lz4', 'zstd'],
    spec: true,
    help: 'Chunk body compression (a later release).',
  },
  { key: 'maxQueryTime', label: 'Max query time', kind: 'ms', spec: true, help: 'Deadline of every query.' },
  {
    key: 'cacheSize',
    label: 'Cache size',
    kind: 'bytes',
    spec: true,
    help: 'Decoded chunks the query worker keeps in memory.',
  },
  {
    key: 'queryCache',
    label: 'Query cache',
    kind: 'bool',
    spec: true,
    help: 'Reuse results of repeated queries (distributed query).',
  },
  {
    key: 'minPeers',
    label: 'Min peers',
    kind: 'count',
    spec: false,
    help: 'Below this many connections the node dials every peer it knows.',
  },
  {
    key: 'queryMemory',
    label: 'Query memory',
    kind: 'bytes',
    spec: false,
    help: 'Hash tables and sort buffers one query may hold.',
  },
  {
    key: 'maxRowBytes',
    label: 'Max row bytes',
    kind: 'bytes',
    spec: false,
    help: 'Longest line accepted in line-based formats.',
  },
  {
    key: 'maxFileBytes',
    label: 'Max file bytes',
    kind: 'bytes',
    spec: false,
    help: 'Largest file ingest accepts.',
  },
  {
    key: 'raggedRows',
    label: 'Ragged CSV rows',
    kind: 'enum',
    options: ['reject', 'skip'],
    spec: false,
    help: 'Reject the file, or skip rows with the wrong field count.',
  },
  {
    key: 'iceServers',
    label: 'ICE servers',
    kind: 'json',
    spec: false,
    help: 'STUN/TURN servers as JSON, e.g. [{"urls":"stun:stun.example.org"}]. Default none (LAN and one machine).',
  },
];

/** The keys whose value differs from the default. */
export function overridesOf(config: LakeConfig): Partial<LakeConfig> {
  const out: Record<string, unknown> = {};
  for (const s of SETTINGS) {
    if (JSON.stringify(config[s.key]) !== JSON.stringify(DEFAULT_CONFIG[s.key])) out[s.key] = config[s.key];
  }
  return out;
}

/** Parses one form field into a config value; throws with a reason the form shows. */
export function parseSetting(def: SettingDef, raw: string | boolean): unknown {
  if (def.kind === 'bool') return Boolean(raw);
  const text = String(raw).trim();
  if (def.kind === 'enum') return text;
  if (def.kind === 'json') {
    try {
      return JSON.parse(text) as unknown;
    } catch {
      throw new Error(`${def.label}: not valid JSON`);
    }
  }
  const n = Number(text);
  if (text === '' || !Number.isFinite(n)) throw new Error(`${def.label}: a number is needed`);
  return n;
}

/**
 * Validates the new values (the same rules the node applies at start) and returns the URL that
 * applies them: `?config=` holds only the keys that differ from the defaults, and the fragment
 * (the room) is kept, so the reload stays in the same room with the same node.
 * @throws ConfigError naming the bad key.
 */
export function configUrl(current: URL, values: Partial<LakeConfig>): string {
  const config = resolveConfig(values);
  const overrides = overridesOf(config);
  const url = new URL(current.href);
  if (Object.keys(overrides).length) url.searchParams.set('config', JSON.stringify(overrides));
  else url.searchParams.delete('config');
  return url.href;
}
