import type { IncomingMessage, Server } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocket, WebSocketServer, type RawData } from 'ws';
import { TokenBucket } from '../src/net/TokenBucket.ts';
import {
  parseClientFrame,
  SIGNAL_ERRORS,
  SIGNAL_PATH,
  type ServerFrame,
  type SignalErrorCode,
} from '../src/net/signalingProtocol.ts';
import type { RelayStats } from './httpHandler.ts';
import { RelayMetrics } from './RelayMetrics.ts';
import { DEFAULT_RELAY_LIMITS, type RelayLimits } from './relayLimits.ts';

/** A member nobody reads from: beyond this much queued output it is cut rather than buffered. */
const MAX_BUFFERED_BYTES = 1024 * 1024;
/** On shutdown, sockets still open this long after the close frame are cut. */
const SHUTDOWN_GRACE_MS = 1_000;

interface Conn {
  ws: WebSocket;
  bucket: TokenBucket;
  /** Answered the last ping. */
  alive: boolean;
  /** Refused or ending: later frames are ignored. */
  closing: boolean;
  /** The handshake timer until the first join, then the idle timer (refreshed on each frame). */
  timer: NodeJS.Timeout;
  idle: boolean;
  member?: { roomId: string; room: Map<string, Conn>; peerId: string };
}

export interface SignalingRelay {
  /** For `/healthz`. */
  stats(): RelayStats;
  /** For `/metrics`: Prometheus text. */
  metrics(): string;
  /** Stops accepting upgrades and closes every signaling socket (1001). */
  close(): void;
}

/**
 * The signaling relay (DESIGN §7): rooms of peer ids and a relay of opaque, end-to-end encrypted
 * `signal` payloads between members of one room. It attaches to the app's HTTP server through the
 * `upgrade` event on {@link SIGNAL_PATH}. Each violation is counted, answered with an `error`
 * frame, and followed by a close; the frame protocol is in src/net/signalingProtocol.ts.
 */
export function attachSignalingRelay(server: Server, overrides: Partial<RelayLimits> = {}): SignalingRelay {
  const limits = { ...DEFAULT_RELAY_LIMITS, ...overrides };
  const wss = new WebSocketServer({
    noServer: true,
    maxPayload: limits.maxFrameBytes,
    perMessageDeflate: false,
  });
  const rooms = new Map<string, Map<string, Conn>>();
  const perIp = new Map<string, number>();
  const conns = new Set<Conn>();
  const metrics = new RelayMetrics();
  let peers = 0;

  const onUpgrade = (req: IncomingMessage, socket: Duplex, head: Buffer): void => {
    if ((req.url ?? '/').split('?')[0] !== SIGNAL_PATH) {
      // Node has removed its own listeners from an upgrading socket; an unhandled error would crash.
      socket.on('error', () => socket.destroy());
      socket.end('HTTP/1.1 404 Not Found\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
      return;
    }
    wss.handleUpgrade(req, socket, head, (ws) => accept(ws, req.socket.remoteAddress ?? 'unknown'));
  };
  server.on('upgrade', onUpgrade);

  // Liveness as in the ws README ("How to detect and close broken connections?").
  const sweep = setInterval(() => {
    for (const conn of conns) {
      if (conn.closing) continue;
      if (!conn.alive) {
        metrics.reject('DEAD');
        retire(conn);
        conn.ws.terminate();
        continue;
      }
      conn.alive = false;
      conn.ws.ping();
    }
  }, limits.pingIntervalMs);
  sweep.unref();

  function accept(ws: WebSocket, ip: string): void {
    if ((perIp.get(ip) ?? 0) >= limits.maxConnectionsPerIp) {
      metrics.reject('IP_LIMIT');
      // Frames can still arrive until the client answers the close; without a listener, a
      // receiver error on them (oversize, bad UTF-8) would be thrown and crash the process.
      ws.on('error', () => undefined);
      send(ws, { type: 'error', code: 'IP_LIMIT', message: SIGNAL_ERRORS.IP_LIMIT });
      ws.close(1008, 'IP_LIMIT');
      return;
    }
    perIp.set(ip, (perIp.get(ip) ?? 0) + 1);
    metrics.connectionsTotal++;
    const bucket = new TokenBucket(limits.ratePerSec, limits.rateBurst);
    const timer = setTimeout(() => violate(conn, 'HANDSHAKE_TIMEOUT'), limits.handshakeTimeoutMs);
    const conn: Conn = { ws, bucket, alive: true, closing: false, idle: false, timer };
    conns.add(conn);
    ws.on('message', (data, isBinary) => onFrame(conn, data, isBinary));
    ws.on('pong', () => (conn.alive = true));
    // Receiver errors only; ws has already sent the close frame (1009 for oversize, 1002/1007 else).
    ws.on('error', (err: Error & { code?: string }) => {
      if (conn.closing) return; // a late frame from a socket already refused for something else
      metrics.reject(err.code === 'WS_ERR_UNSUPPORTED_MESSAGE_LENGTH' ? 'OVERSIZE' : 'PROTOCOL_ERROR');
      retire(conn);
    });
    ws.on('close', () => {
      retire(conn);
      conns.delete(conn);
      const left = (perIp.get(ip) ?? 1) - 1;
      if (left > 0) perIp.set(ip, left);
      else perIp.delete(ip);
    });
  }

  function onFrame(conn: Conn, data: RawData, isBinary: boolean): void {
    if (conn.closing) return;
    if (conn.idle) conn.timer.refresh();
    if (!conn.bucket.take()) return violate(conn, 'RATE_LIMITED');
    if (isBinary) return violate(conn, 'BINARY_FRAME');
    // binaryType is the default 'nodebuffer', so a message is one Buffer; ws checked its UTF-8.
    const frame = parseClientFrame((data as Buffer).toString('utf8'));
    if (typeof frame === 'string') return violate(conn, frame);
    const { member } = conn;
    switch (frame.type) {
      case 'join': {
        if (member) return violate(conn, 'ALREADY_JOINED');
        const room = rooms.get(frame.room) ?? new Map<string, Conn>();
        const prior = room.get(frame.peerId);
        if (!prior && room.size >= limits.maxPeers) return violate(conn, 'ROOM_FULL');
        const others = [...room.keys()].filter((id) => id !== frame.peerId);
        rooms.set(frame.room, room.set(frame.peerId, conn));
        conn.member = { roomId: frame.room, room, peerId: frame.peerId };
        clearTimeout(conn.timer);
        conn.timer = setTimeout(() => violate(conn, 'IDLE_TIMEOUT'), limits.idleTimeoutMs);
        conn.idle = true;
        send(conn.ws, { type: 'joined', room: frame.room, peers: others });
        // A reconnecting peer replaces its stale socket silently: to the others it never left.
        if (prior) return violate(prior, 'REPLACED');
        peers++;
        return broadcast(room, { type: 'peer-joined', peerId: frame.peerId }, conn);
      }
      case 'signal': {
        if (!member) return violate(conn, 'NOT_JOINED');
        const target = member.room.get(frame.to);
        if (!target) {
          // Not a violation: the target may have left while this frame was in flight.
          metrics.reject('UNKNOWN_PEER');
          return send(conn.ws, { type: 'error', code: 'UNKNOWN_PEER', message: SIGNAL_ERRORS.UNKNOWN_PEER });
        }
        if (target.ws.bufferedAmount > MAX_BUFFERED_BYTES) {
          metrics.reject('SLOW_READER');
          retire(target);
          return target.ws.terminate();
        }
        send(target.ws, { type: 'signal', from: member.peerId, payload: frame.payload });
        metrics.relayedTotal++;
        return;
      }
      case 'leave':
        return leaveRoom(conn);
      case 'ping':
        return send(conn.ws, { type: 'pong' });
    }
  }

  function violate(conn: Conn, code: SignalErrorCode): void {
    if (conn.closing) return;
    metrics.reject(code);
    send(conn.ws, { type: 'error', code, message: SIGNAL_ERRORS[code] });
    retire(conn);
    conn.ws.close(1008, code);
  }

  /** Stops a connection's timers and takes it out of its room; idempotent. */
  function retire(conn: Conn): void {
    conn.closing = true;
    clearTimeout(conn.timer);
    leaveRoom(conn);
  }

  function leaveRoom(conn: Conn): void {
    const { member } = conn;
    conn.member = undefined;
    // A replaced connection no longer owns its id, so its leaving is not news.
    if (!member || member.room.get(member.peerId) !== conn) return;
    member.room.delete(member.peerId);
    peers--;
    if (member.room.size === 0) rooms.delete(member.roomId);
    else broadcast(member.room, { type: 'peer-left', peerId: member.peerId });
  }

  function broadcast(room: Map<string, Conn>, frame: ServerFrame, except?: Conn): void {
    for (const member of room.values()) if (member !== except) send(member.ws, frame);
  }

  return {
    stats: () => ({ rooms: rooms.size, peers }),
    metrics: () => metrics.render({ connections: conns.size, rooms: rooms.size, peers }),
    close() {
      server.off('upgrade', onUpgrade);
      clearInterval(sweep);
      for (const conn of conns) retire(conn);
      for (const ws of wss.clients) ws.close(1001, 'SHUTDOWN');
      // A client that never answers the close would hold the HTTP server's close() open.
      setTimeout(() => wss.clients.forEach((ws) => ws.terminate()), SHUTDOWN_GRACE_MS).unref();
      wss.close();
    },
  };
}

function send(ws: WebSocket, frame: ServerFrame): void {
  if (ws.readyState === WebSocket.OPEN) ws.send(JSON.stringify(frame));
}
