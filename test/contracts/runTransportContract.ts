import { describe, it } from 'vitest';
import { transportContract, type TransportRigFactory } from './transport.contract.ts';

/** Runs the transport contract cases as vitest tests for one adapter. */
export function runTransportContract(name: string, rig: TransportRigFactory): void {
  describe(`Transport contract: ${name}`, () => {
    for (const [title, run] of Object.entries(transportContract(rig))) it(title, run);
  });
}
