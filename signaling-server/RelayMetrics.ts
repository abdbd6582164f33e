import { SIGNAL_ERROR_CODES, type SignalErrorCode } from '../src/net/signalingProtocol.ts';

/** Gauges the relay reads from its live state when `/metrics` is scraped. */
export interface RelayGauges {
  connections: number;
  rooms: number;
  peers: number;
}

/**
 * The relay's counters, rendered in the Prometheus text exposition format (version 0.0.4).
 * Every rejection reason is pre-seeded with 0 so each series exists from the first scrape, and
 * `rate()` sees the first increment.
 */
export class RelayMetrics {
  connectionsTotal = 0;
  relayedTotal = 0;
  readonly #rejected = new Map<SignalErrorCode, number>(SIGNAL_ERROR_CODES.map((c) => [c, 0]));

  /** Called by the relay once per violation (a refused frame or a connection it ends). */
  reject(code: SignalErrorCode): void {
    this.#rejected.set(code, (this.#rejected.get(code) ?? 0) + 1);
  }

  rejected(code: SignalErrorCode): number {
    return this.#rejected.get(code) ?? 0;
  }

  render(g: RelayGauges): string {
    const rejected = [...this.#rejected].map(
      ([code, n]) => `peerlake_signal_rejected_total{reason="${code.toLowerCase()}"} ${n}`,
    );
    return [
      ...metric('connections', 'gauge', 'Open signaling WebSocket connections.', g.connections),
      ...metric('connections_total', 'counter', 'Signaling connections accepted.', this.connectionsTotal),
      ...metric('messages_relayed_total', 'counter', 'Signal frames relayed to a peer.', this.relayedTotal),
      '# HELP peerlake_signal_rejected_total Frames or connections refused, by reason.',
      '# TYPE peerlake_signal_rejected_total counter',
      ...rejected,
      ...metric('rooms', 'gauge', 'Rooms with at least one member.', g.rooms),
      ...metric('peers', 'gauge', 'Joined members across all rooms.', g.peers),
      '',
    ].join('\n');
  }
}

function metric(name: string, type: 'gauge' | 'counter', help: string, value: number): string[] {
  const full = `peerlake_signal_${name}`;
  return [`# HELP ${full} ${help}`, `# TYPE ${full} ${type}`, `${full} ${value}`];
}
