// The one module that loads simple-peer (DESIGN §7 design card: simple-peer 9), after the Node
// globals it expects (DESIGN §11). Module evaluation follows import order, so the shims run first.
import './simplePeerShims.ts';
import Peer from 'simple-peer';

export { Peer };
export type { PeerError, PeerOptions, SignalData } from 'simple-peer';
