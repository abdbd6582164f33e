/** The relay's limits (DESIGN §7); `startServer({ signaling })` overrides any of them, e.g. tiny timeouts in tests. */
export interface RelayLimits {
  /** Largest frame in bytes (ws `maxPayload`); ws refuses a bigger one with close code 1009. */
  maxFrameBytes: number;
  /** Sustained frames per second per connection (token bucket). */
  ratePerSec: number;
  /** Frames a connection may send at once before `ratePerSec` applies. */
  rateBurst: number;
  /** Open connections per remote address. */
  maxConnectionsPerIp: number;
  /** Members per room (DESIGN §14 `maxPeers`). */
  maxPeers: number;
  /** A connection must `join` within this. */
  handshakeTimeoutMs: number;
  /** A joined connection that sends nothing, not even `ping`, for this long is closed. */
  idleTimeoutMs: number;
  /** WebSocket ping period; a socket that has not answered the previous ping is terminated. */
  pingIntervalMs: number;
}

export const DEFAULT_RELAY_LIMITS: Readonly<RelayLimits> = {
  maxFrameBytes: 64 * 1024,
  ratePerSec: 50,
  rateBurst: 100,
  maxConnectionsPerIp: 32,
  maxPeers: 50,
  handshakeTimeoutMs: 10_000,
  // Long enough for a hidden tab, whose timers Chrome may run only once a minute, to keep alive.
  idleTimeoutMs: 300_000,
  pingIntervalMs: 30_000,
};
