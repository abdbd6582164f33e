/**
 * One error class for the mesh layer (transports, wire codec, membership), with one code per
 * failure site (EXAMPLES §5).
 *
 * - `NOT_CONNECTED`: `Transport.send` to a peer with no open connection.
 * - `TRANSPORT_CLOSED`: a call on a transport after `close()`.
 * - `INVALID_MESSAGE`: `wire.encode` was given a message that `wire.decode` would reject (a bug in
 *   the caller, never caused by network input).
 * - `NOT_AUTHENTICATED`: `Membership.send` to a peer that has not completed the handshake.
 * - `MEMBERSHIP_CLOSED`: a call on membership after `close()`.
 */
export type NetErrorCode =
  'NOT_CONNECTED' | 'TRANSPORT_CLOSED' | 'INVALID_MESSAGE' | 'NOT_AUTHENTICATED' | 'MEMBERSHIP_CLOSED';

export class NetError extends Error {
  override name = 'NetError';
  constructor(
    readonly code: NetErrorCode,
    message: string,
  ) {
    super(message);
  }
}

export function isNetError(e: unknown): e is NetError {
  return e instanceof Error && e.name === 'NetError' && typeof (e as NetError).code === 'string';
}
