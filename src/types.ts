/** Branded ids (EXAMPLES §3): a plain string cannot be passed where a ChunkId is expected. */
export type NodeId = string & { __nodeId: true };
export type DeviceId = string & { __deviceId: true };
/** Hex SHA-256 of a chunk's Arrow IPC stream bytes. */
export type ChunkId = string & { __chunkId: true };
export type DatasetId = string & { __datasetId: true };
