import type { LakeNode } from '../../lake/LakeNode.ts';

/**
 * The part of `window.lake` (DESIGN §13) the dashboard uses. The UI holds no other reference to
 * the node: it calls these methods and listens to `on(...)` events, nothing else.
 */
export type LakeApi = Pick<
  LakeNode,
  | 'nodeId'
  | 'deviceId'
  | 'config'
  | 'room'
  | 'datasets'
  | 'peers'
  | 'ingest'
  | 'sql'
  | 'verify'
  | 'drop'
  | 'storage'
  | 'cacheStats'
  | 'on'
>;

export type CacheStats = Awaited<ReturnType<LakeNode['cacheStats']>>;
