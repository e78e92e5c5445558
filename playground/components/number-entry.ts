// Reading what someone typed into one of the inspector's number fields. Text that is no number never reaches the
// model: the field keeps it, says what is wrong with it, and names the value still in force, so that the field and
// the model cannot silently disagree. (Whether a number is in range is validation's job, on the model's value.)
import type { ParamValue } from '../graph/types';

export type NumberEntry = { ok: true; value: number } | { ok: false; problem: string };

/** The number in `typed`, or why there is none. `label` names the field in the message. */
export function readNumberEntry(typed: string, label: string): NumberEntry {
  const text = typed.trim();
  if (text === '') return { ok: false, problem: `${label} is empty: type a number.` };
  const value = Number(text);
  if (Number.isNaN(value)) return { ok: false, problem: `${label}: "${text}" is not a number.` };
  // Number() reads "Infinity" and "1e999" as ±Infinity, which no parameter can hold.
  if (!Number.isFinite(value)) return { ok: false, problem: `${label}: "${text}" is not a finite number.` };
  return { ok: true, value };
}

/** An entry that was not applied: the text as typed, what is wrong with it, and the value in force at the time. */
export interface RejectedEntry {
  typed: string;
  problem: string;
  inForce: ParamValue;
}

/** The line under a field holding a rejected entry: the problem, then the value the model still uses. */
export function rejectedEntryMessage(entry: RejectedEntry): string {
  return `${entry.problem} The value in force is still ${String(entry.inForce)}.`;
}

/**
 * The rejected entry to show for a field, if any. Once the model's value changes (a valid entry, Undo, another
 * view), the entry is about a value that is gone, so the field shows the model's value again.
 */
export function pendingEntry(entry: RejectedEntry | undefined, inForce: ParamValue): RejectedEntry | undefined {
  return entry && Object.is(entry.inForce, inForce) ? entry : undefined;
}
