/**
 * A probe with planted faults, to show the fuzzer classes each kind of failure: it picks its
 * misbehaviour from a checksum of the mutant's bytes, so a seed gives every class within a few mutants.
 */
import type { ProbeOutcome } from '../../fuzz/probe.js';

export async function probe(bytes: Uint8Array): Promise<ProbeOutcome> {
  let sum = 0;
  for (let i = 0; i < bytes.length; i++) sum = (sum + bytes[i] * (i + 1)) % 5;
  switch (sum) {
    case 0:
      // A plain TypeError from "reader" code, as a missing check would give.
      (undefined as unknown as { x: number }).x;
      break;
    case 1:
      for (;;); // a hang
    case 2: {
      const big = new Uint8Array(700 << 20);
      for (let i = 0; i < big.length; i += 4096) big[i] = 1;
      await new Promise((r) => setTimeout(r, 2000));
      return { class: 'ok', codes: [] };
    }
    case 3:
      process.abort();
  }
  return { class: 'ok', codes: [] };
}
