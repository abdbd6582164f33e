import type { PeerInfo } from '../../lake/api.ts';
import { ms, shortId } from '../format.ts';

const SIZE = 340;
const R = 118;
/** Labels sit outside the circle of peers, so links never cross them. */
const LABEL_R = R + 36;

/**
 * The mesh as this node sees it: itself in the middle, each peer on a circle, one link per
 * connection, coloured by state and labelled with its RTT (the full figure on hover). Peers that
 * left recently stay as faded ghosts for a moment, so a leave is visible.
 */
export function Topology({
  selfId,
  peers,
  ghosts,
  deviceId,
}: {
  selfId: string;
  peers: PeerInfo[];
  ghosts: string[];
  deviceId: string;
}) {
  const all = [
    ...peers.map((p) => ({ p, ghost: false })),
    ...ghosts.map((id) => ({
      p: { nodeId: id, state: 'gone', chunks: 0 } as unknown as PeerInfo,
      ghost: true,
    })),
  ];
  const c = SIZE / 2;
  const angle = (i: number) => (2 * Math.PI * i) / Math.max(1, all.length) - Math.PI / 2;
  const at = (i: number) => ({ x: c + R * Math.cos(angle(i)), y: c + R * Math.sin(angle(i)) });
  const labelAt = (i: number) => ({
    x: c + LABEL_R * Math.cos(angle(i)),
    y: c + LABEL_R * Math.sin(angle(i)) + 4,
  });
  const alive = peers.filter((p) => p.state === 'alive').length;
  return (
    <svg
      class="topology"
      viewBox={`0 0 ${SIZE} ${SIZE}`}
      role="img"
      aria-label={`Mesh: this node and ${peers.length} peer(s), ${alive} alive`}
      data-testid="topology"
    >
      {all.map(({ p, ghost }, i) => {
        const { x, y } = at(i);
        const mx = (c + x) / 2;
        const my = (c + y) / 2;
        return (
          <g class={`link ${ghost ? 'ghost' : p.state}`} data-link={p.nodeId}>
            <title>
              {ghost
                ? `${shortId(p.nodeId)} left`
                : `${shortId(p.nodeId)} · ${p.state}${p.rttMs === undefined ? '' : ` · RTT ${ms(p.rttMs)}`}`}
            </title>
            <line x1={c} y1={c} x2={x} y2={y} />
            {!ghost && p.rttMs !== undefined ? (
              <text x={mx + 8} y={my + 4} class="rtt">
                {ms(p.rttMs)}
              </text>
            ) : null}
          </g>
        );
      })}
      {all.map(({ p, ghost }, i) => {
        const { x, y } = at(i);
        const sameDevice = p.deviceId !== undefined && p.deviceId === deviceId;
        return (
          <g class={`node ${ghost ? 'ghost' : p.state}`} data-node={p.nodeId}>
            <title>
              {`${p.nodeId}${sameDevice ? ' (this browser)' : ''}\n${ghost ? 'left' : p.state}${p.rttMs === undefined ? '' : ` · RTT ${ms(p.rttMs)}`} · ${p.chunks} chunks`}
            </title>
            <circle cx={x} cy={y} r={18} />
            <text x={labelAt(i).x} y={labelAt(i).y} class="label">
              {shortId(p.nodeId)}
            </text>
          </g>
        );
      })}
      <g class="node self">
        <title>{`This node ${selfId}`}</title>
        <circle cx={c} cy={c} r={24} />
        <text x={c} y={c + 4} class="self-label">
          you
        </text>
      </g>
      {all.length === 0 ? (
        <text x={c} y={c + 56} class="label">
          alone in the room
        </text>
      ) : null}
    </svg>
  );
}
