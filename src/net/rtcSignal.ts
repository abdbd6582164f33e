import type { NodeId } from '../types.ts';
import { toBase64Url } from './base64url.ts';

/**
 * What WebRtcTransport sends through a {@link SignalChannel} (sealed end-to-end by the
 * SignalingClient, or relayed by peers later). Every payload names the session it belongs to
 * (`sid`), so a signal from an older session, or one the relay replays, is recognised and dropped
 * instead of being fed to the current connection.
 *
 * - `dial {sid}`: the higher node id asks the lower one (the initiator) to open session `sid`.
 * - `sdp {sid, type, sdp}`: the initiator's offer or the responder's answer.
 * - `ice {sid, candidate}`: one trickled ICE candidate.
 */
export type RtcSignal =
  | { kind: 'dial'; sid: string }
  | { kind: 'sdp'; sid: string; type: 'offer' | 'answer'; sdp: string }
  | { kind: 'ice'; sid: string; candidate: IceCandidate };

export interface IceCandidate {
  candidate: string;
  sdpMLineIndex: number | null;
  sdpMid: string | null;
}

/** Pluggable signal path: the SignalingClient today; peers relaying for each other later. */
export interface SignalChannel {
  /** Called by the transport to deliver one payload to `to`. Rejects if it cannot be sent now. */
  send(to: NodeId, payload: RtcSignal): Promise<void>;
  /** Called once by the transport; `payload` is untrusted and checked with {@link parseRtcSignal}. */
  onSignal(handler: (from: NodeId, payload: unknown) => void): () => void;
}

/** 128 random bits, base64url: unguessable, and never reused by any session. */
export const SID_PATTERN = /^[A-Za-z0-9_-]{22}$/;
/** An SDP for two data channels is about 1 KB; the signaling relay allows 60 KiB sealed. */
const MAX_SDP_CHARS = 32 * 1024;
const MAX_CANDIDATE_CHARS = 1024;
const MAX_MID_CHARS = 64;

/** A fresh session id. */
export function newSid(): string {
  return toBase64Url(crypto.getRandomValues(new Uint8Array(16)));
}

/**
 * A checked copy of a payload from the signal channel, or `undefined` if it is not one of ours.
 * Only the fields we use are copied, so nothing unexpected reaches simple-peer.
 */
export function parseRtcSignal(value: unknown): RtcSignal | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  const o = value as Record<string, unknown>;
  if (typeof o.sid !== 'string' || !SID_PATTERN.test(o.sid)) return undefined;
  const sid = o.sid;
  switch (o.kind) {
    case 'dial':
      return { kind: 'dial', sid };
    case 'sdp':
      if ((o.type !== 'offer' && o.type !== 'answer') || typeof o.sdp !== 'string') return undefined;
      if (o.sdp.length === 0 || o.sdp.length > MAX_SDP_CHARS) return undefined;
      return { kind: 'sdp', sid, type: o.type, sdp: o.sdp };
    case 'ice': {
      const c = o.candidate as Record<string, unknown> | null | undefined;
      if (typeof c !== 'object' || c === null) return undefined;
      const { candidate, sdpMLineIndex, sdpMid } = c;
      if (typeof candidate !== 'string' || candidate.length > MAX_CANDIDATE_CHARS) return undefined;
      const index =
        sdpMLineIndex === null || sdpMLineIndex === undefined
          ? null
          : Number.isInteger(sdpMLineIndex) &&
              (sdpMLineIndex as number) >= 0 &&
              (sdpMLineIndex as number) < 64
            ? (sdpMLineIndex as number)
            : undefined;
      const mid =
        sdpMid === null || sdpMid === undefined
          ? null
          : typeof sdpMid === 'string' && sdpMid.length <= MAX_MID_CHARS
            ? sdpMid
            : undefined;
      if (index === undefined || mid === undefined || (index === null && mid === null)) return undefined;
      return { kind: 'ice', sid, candidate: { candidate, sdpMLineIndex: index, sdpMid: mid } };
    }
    default:
      return undefined;
  }
}
