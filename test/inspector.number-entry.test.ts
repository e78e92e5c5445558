// The inspector's number fields (playground/components/number-entry.ts): what is typed either reads as exactly the
// number it spells or is rejected with a message quoting it and naming the value still in force; a rejected entry
// shows until the model's value changes.
import { describe, expect, test } from 'vitest';
import fc from 'fast-check';
import { pendingEntry, readNumberEntry, rejectedEntryMessage } from '../playground/components/number-entry';

const SEEDED = { seed: 14, numRuns: 500 };

describe('readNumberEntry', () => {
  test('any finite number, as JavaScript prints it and with spaces around, reads back exactly', () => {
    fc.assert(
      fc.property(fc.double({ noNaN: true, noDefaultInfinity: true }), fc.constantFrom('', ' ', '\t'), (x, pad) => {
        const entry = readNumberEntry(`${pad}${String(x)}${pad}`, 'Size');
        // String(-0) is "0", so -0 reads back as 0 (x + 0 turns -0 into 0 and leaves every other number alone).
        expect(entry).toEqual({ ok: true, value: x + 0 });
      }),
      SEEDED,
    );
  });

  test('text that is no number is rejected, quoted as typed (trimmed), never read as 0 or NaN', () => {
    fc.assert(
      fc.property(fc.string({ minLength: 1, maxLength: 12 }), (typed) => {
        fc.pre(typed.trim() !== '' && Number.isNaN(Number(typed)));
        const entry = readNumberEntry(typed, 'Output features');
        expect(entry).toEqual({ ok: false, problem: `Output features: "${typed.trim()}" is not a number.` });
      }),
      SEEDED,
    );
    expect(readNumberEntry('abc', 'Output features')).toEqual({ ok: false, problem: 'Output features: "abc" is not a number.' });
    expect(readNumberEntry('1,5', 'Rate')).toEqual({ ok: false, problem: 'Rate: "1,5" is not a number.' });
  });

  test('an empty field and the infinities are rejected too', () => {
    for (const blank of ['', '   ']) expect(readNumberEntry(blank, 'Heads')).toEqual({ ok: false, problem: 'Heads is empty: type a number.' });
    for (const huge of ['Infinity', '-Infinity', '1e999']) {
      expect(readNumberEntry(huge, 'Heads')).toEqual({ ok: false, problem: `Heads: "${huge}" is not a finite number.` });
    }
  });
});

describe('a rejected entry', () => {
  const entry = { typed: 'abc', problem: 'Output features: "abc" is not a number.', inForce: 99999 };

  test('names what was wrong and the value still in force', () => {
    expect(rejectedEntryMessage(entry)).toBe('Output features: "abc" is not a number. The value in force is still 99999.');
  });

  test('shows while the model keeps the value it was typed over, and not once that value changes', () => {
    expect(pendingEntry(entry, 99999)).toBe(entry);
    expect(pendingEntry(entry, 64)).toBeUndefined();
    expect(pendingEntry(undefined, 99999)).toBeUndefined();
  });
});
