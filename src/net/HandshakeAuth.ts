import { encode as msgpack } from '@msgpack/msgpack';
import type { NodeId } from '../types.ts';

/** Domain separation: these HMACs can never be confused with any other use of the room key. */
const PROOF_DOMAIN = 'peerlake/handshake-proof';

/** Who proves what to whom in one direction of a handshake. */
export interface ProofContext {
  /** The node computing the proof (sender of the `handshake-reply`). */
  prover: NodeId;
  /** The node that issued the challenge and checks the proof. */
  verifier: NodeId;
  proverNonce: Uint8Array;
  verifierNonce: Uint8Array;
}

/**
 * The challenge-response of the mesh handshake (DESIGN §7): each side proves it knows the room
 * auth key (`deriveRoomKeys(secret).authKey`, an HMAC-SHA-256 CryptoKey) by answering the other
 * side's fresh nonce with
 *
 * `HMAC(authKey, msgpack([domain, protocolVersion, prover, verifier, verifierNonce, proverNonce]))`.
 *
 * Called by membership (src/net/Membership.ts) only: `prove` when the peer's handshake arrives,
 * `verify` when its handshake-reply arrives.
 *
 * @remarks Binding both ids and the direction stops reflection (sending our own proof back to
 * us) and relaying a proof made for another node; the verifier's fresh nonce stops replay; the
 * version stops a downgrade. The secret itself never crosses the wire. `verify` uses
 * `crypto.subtle.verify`, which compares in constant time.
 */
export class HandshakeAuth {
  readonly #key: CryptoKey;
  readonly #version: number;

  /** @throws TypeError if `key` is not an HMAC key usable for both sign and verify. */
  constructor(key: CryptoKey, version: number) {
    if (key.algorithm.name !== 'HMAC' || !key.usages.includes('sign') || !key.usages.includes('verify')) {
      throw new TypeError('HandshakeAuth needs an HMAC CryptoKey with "sign" and "verify" usages');
    }
    this.#key = key;
    this.#version = version;
  }

  /** Our proof for the peer's challenge. */
  async prove(ctx: ProofContext): Promise<Uint8Array> {
    return new Uint8Array(await crypto.subtle.sign('HMAC', this.#key, this.#input(ctx)));
  }

  /** Whether `proof` is the peer's valid answer to our challenge. */
  verify(ctx: ProofContext, proof: Uint8Array): Promise<boolean> {
    return crypto.subtle.verify('HMAC', this.#key, new Uint8Array(proof), this.#input(ctx));
  }

  #input(ctx: ProofContext): Uint8Array<ArrayBuffer> {
    return msgpack([
      PROOF_DOMAIN,
      this.#version,
      ctx.prover,
      ctx.verifier,
      ctx.verifierNonce,
      ctx.proverNonce,
    ]);
  }
}
