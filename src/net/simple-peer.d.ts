// The part of simple-peer 9's API that src/net/simplePeer.ts uses (the package ships no types and
// @types/simple-peer is not installed). See node_modules/simple-peer/README.md.
declare module 'simple-peer' {
  /** What the peer emits on 'signal' and accepts in `signal()`: an SDP or an ICE candidate. */
  export interface SignalData {
    type?: 'offer' | 'answer' | 'candidate' | 'renegotiate' | 'transceiverRequest' | 'pranswer' | 'rollback';
    sdp?: string;
    candidate?: { candidate: string; sdpMLineIndex?: number | null; sdpMid?: string | null };
    renegotiate?: boolean;
  }

  export interface PeerOptions {
    initiator?: boolean;
    channelName?: string;
    channelConfig?: Record<string, unknown>;
    config?: RTCConfiguration;
    trickle?: boolean;
    /** An injected RTCPeerConnection implementation (tests); defaults to the browser's. */
    wrtc?: unknown;
  }

  /** An Error with the code simple-peer set (`ERR_ICE_CONNECTION_FAILURE`, `ERR_DATA_CHANNEL`, …). */
  export interface PeerError extends Error {
    code?: string;
  }

  class Peer {
    constructor(opts?: PeerOptions);
    readonly destroyed: boolean;
    readonly connected: boolean;
    /** Internal, but documented in spirit: the underlying connection and first data channel. */
    _pc: RTCPeerConnection | null;
    _channel: RTCDataChannel | null;
    signal(data: SignalData): void;
    send(data: ArrayBufferView | ArrayBuffer | string): void;
    destroy(err?: Error): void;
    resume(): this;
    on(event: 'signal', listener: (data: SignalData) => void): this;
    on(event: 'connect' | 'close', listener: () => void): this;
    on(event: 'error', listener: (err: PeerError) => void): this;
    on(event: 'data', listener: (data: Uint8Array) => void): this;
    removeAllListeners(event?: string): this;
    static readonly WEBRTC_SUPPORT: boolean;
  }
  export default Peer;
}
