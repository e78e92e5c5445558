// Checking a lesson's claims (types.ts `Claim`) against the numbers its page states. Pure, so the end-to-end test
// runs it on the values read off the page and the lessons' unit tests run it on stat()'s records in Node.
import type { Claim } from './types';

/** Why the claim fails on these values ("w11-attn-acc (0.41) > w11-fixed-acc (0.52) is false: …"), or null when it holds. */
export function claimFails(claim: Claim, values: Record<string, { value: number }>): string | null {
  const a = values[claim.stat]?.value;
  const b = typeof claim.than === 'number' ? claim.than : values[claim.than]?.value;
  const bName = typeof claim.than === 'number' ? String(claim.than) : `${claim.than} (${b})`;
  if (a === undefined) return `the page states no number "${claim.stat}" for the claim "${claim.says}"`;
  if (b === undefined) return `the page states no number "${String(claim.than)}" for the claim "${claim.says}"`;
  const holds =
    claim.is === '<' ? a < b : claim.is === '<=' ? a <= b : claim.is === '>' ? a > b : claim.is === '>=' ? a >= b : a === b;
  return holds ? null : `${claim.stat} (${a}) ${claim.is} ${bName} is false, so "${claim.says}" does not hold`;
}
