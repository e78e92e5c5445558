// A lesson's claims about its numbers (playground/course/claims.ts): each comparison holds or fails with a message
// that names both numbers, and a claim about a number the page does not state fails rather than passing quietly.
import { describe, expect, test } from 'vitest';
import { claimFails } from '../playground/course/claims';
import type { Claim } from '../playground/course/types';

const values = { a: { value: 1 }, b: { value: 2 }, zero: { value: 0 } };
const claim = (is: Claim['is'], than: string | number, stat = 'a'): Claim => ({ stat, is, than, says: 'a test claim' });

describe('claimFails', () => {
  test('each comparison, against another stat or a constant', () => {
    expect(claimFails(claim('<', 'b'), values)).toBeNull();
    expect(claimFails(claim('<=', 1), values)).toBeNull();
    expect(claimFails(claim('>', 'zero'), values)).toBeNull();
    expect(claimFails(claim('>=', 1), values)).toBeNull();
    expect(claimFails(claim('=', 1), values)).toBeNull();
    expect(claimFails(claim('>', 'b'), values)).toMatch(/a \(1\) > b \(2\) is false, so "a test claim" does not hold/);
    expect(claimFails(claim('<', 1), values)).toMatch(/a \(1\) < 1 is false/);
    expect(claimFails(claim('=', 'b'), values)).not.toBeNull();
  });

  test('a number the page does not state fails the claim', () => {
    expect(claimFails(claim('<', 'missing'), values)).toMatch(/no number "missing"/);
    expect(claimFails(claim('<', 'b', 'missing'), values)).toMatch(/no number "missing"/);
  });
});
