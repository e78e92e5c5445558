// A learner's progress through one lesson, as plain data: exercise results, code-cell contents and widget settings.
// The page keeps one LessonState per lesson in IndexedDB (store.ts); this module holds the model, its validation
// (valibot: what comes back from storage or from a shared link is checked before use), the home's summary of it,
// and the share link's payload. No DOM here; test/course.progress.test.ts covers it in Node.
import * as v from 'valibot';
import type { CheckResult } from './types';
import { deflateRaw, fromBase64Url, inflateRaw, toBase64Url } from '../url-bytes';

export const STATE_VERSION = 1;

export interface ExerciseRecord {
  /** Passed at least once; a later wrong try doesn't take it back. */
  passed: boolean;
  /** The latest check. */
  last?: CheckResult;
  /** What was entered last: the typed text (number), the option's index (choice) or the widget's value (target). */
  answer?: unknown;
}

export interface LessonState {
  v: typeof STATE_VERSION;
  exercises: Record<string, ExerciseRecord>;
  /** Code cells' text, by exercise id. */
  code: Record<string, string>;
  /** Widget settings (the `detail` of their last `change`), by widget key (see widgetKey). */
  widgets: Record<string, unknown>;
  /** The lesson's number of exercises when saved, so the course home can tell "done" without loading the lesson. */
  total: number;
}

export type Progress = 'not started' | 'in progress' | 'done';

export function emptyState(total: number): LessonState {
  return { v: STATE_VERSION, exercises: {}, code: {}, widgets: {}, total };
}

/** What the course home shows for a lesson. */
export function progressOf(state: LessonState | undefined): Progress {
  if (!state) return 'not started';
  const passed = passedCount(state);
  if (state.total > 0 && passed >= state.total) return 'done';
  const touched = Object.keys(state.exercises).length + Object.keys(state.code).length + Object.keys(state.widgets).length;
  return touched > 0 ? 'in progress' : 'not started';
}

export function passedCount(state: LessonState): number {
  return Object.values(state.exercises).filter((e) => e.passed).length;
}

/** A widget section's key: its tag and how many widgets with that tag come before it ("entropy-bars#0"). */
export function widgetKey(tag: string, index: number): string {
  return `${tag}#${index}`;
}

/** Exercise ids, widget keys and lesson ids: short and plain, so none can be "__proto__" or a megabyte long. */
const KEY = /^[A-Za-z0-9_.#-]{1,80}$/;
const Key = v.pipe(v.string(), v.regex(KEY, 'is not a valid id'));
const MAX_CODE_CHARS = 20_000;
const Code = v.pipe(v.string(), v.maxLength(MAX_CODE_CHARS, `is longer than ${MAX_CODE_CHARS.toLocaleString('en-US')} characters`));

const CheckResultSchema = v.object({ ok: v.boolean(), message: v.pipe(v.string(), v.maxLength(2000)) });
const ExerciseRecordSchema = v.object({ passed: v.boolean(), last: v.optional(CheckResultSchema), answer: v.optional(v.unknown()) });

const LessonStateSchema = v.object({
  v: v.literal(STATE_VERSION),
  exercises: v.pipe(v.record(Key, ExerciseRecordSchema), v.maxEntries(200)),
  code: v.pipe(v.record(Key, Code), v.maxEntries(100)),
  widgets: v.pipe(v.record(Key, v.unknown()), v.maxEntries(200)),
  total: v.pipe(v.number(), v.integer(), v.minValue(0)),
});

export type Parsed<T> = { ok: true; value: T } | { ok: false; error: string };

function issueText(issues: [v.BaseIssue<unknown>, ...v.BaseIssue<unknown>[]]): string {
  const issue = issues[0];
  const path = v.getDotPath(issue);
  const msg = issue.message.length > 160 ? `${issue.message.slice(0, 160)}…` : issue.message;
  return `${path ? `at ${path.length > 80 ? `${path.slice(0, 80)}…` : path}: ` : ''}${msg}`;
}

const FORBIDDEN_KEYS = new Set(['__proto__', 'constructor', 'prototype']);

/**
 * A key anywhere inside that could reach an object's prototype if some code (a widget given its saved value, say)
 * copied it naively. valibot's records drop such keys without a word; here they make the whole value refused.
 */
function forbiddenKey(value: unknown, depth = 0): string | null {
  if (typeof value !== 'object' || value === null || depth > 32) return null;
  for (const key of Object.keys(value)) {
    if (FORBIDDEN_KEYS.has(key)) return key;
    const inner = forbiddenKey((value as Record<string, unknown>)[key], depth + 1);
    if (inner) return inner;
  }
  return null;
}

/** A saved state read back from storage, checked; an unreadable one is reported, not used. */
export function parseLessonState(raw: unknown): Parsed<LessonState> {
  const hostile = forbiddenKey(raw);
  if (hostile) return { ok: false, error: `it contains the forbidden key "${hostile}"` };
  if (typeof raw === 'object' && raw !== null && 'v' in raw && typeof raw.v === 'number' && raw.v > STATE_VERSION) {
    return { ok: false, error: `it was saved by a newer version of the course (format ${raw.v}; this page reads ${STATE_VERSION})` };
  }
  const r = v.safeParse(LessonStateSchema, raw);
  return r.success ? { ok: true, value: r.output as LessonState } : { ok: false, error: issueText(r.issues) };
}

// ---- share links --------------------------------------------------------------------------------------------
//
// learn.html#<lesson>?s=<version>.<base64url(deflate-raw(JSON))>. The payload holds what the learner entered (code,
// answers, widget settings), not whether it passed: whoever opens the link checks for themselves, and code from a
// link runs only when they press Run or Check.

export const SHARE_VERSION = 1;
/** The longest share payload read; a link longer than this is refused before any decoding. */
export const MAX_SHARE_CHARS = 200_000;
/** The most bytes a payload may inflate to (a small deflated link can't become a huge document). */
const MAX_INFLATED_BYTES = 1_000_000;

export interface SharePayload {
  v: typeof SHARE_VERSION;
  lesson: string;
  code: Record<string, string>;
  answers: Record<string, unknown>;
  widgets: Record<string, unknown>;
}

const SharePayloadSchema = v.object({
  v: v.literal(SHARE_VERSION),
  lesson: Key,
  code: v.pipe(v.record(Key, Code), v.maxEntries(100)),
  answers: v.pipe(v.record(Key, v.unknown()), v.maxEntries(200)),
  widgets: v.pipe(v.record(Key, v.unknown()), v.maxEntries(200)),
});

/** The part of a state worth sharing. */
export function sharePayload(lesson: string, state: LessonState): SharePayload {
  const answers: Record<string, unknown> = {};
  for (const [id, e] of Object.entries(state.exercises)) if (e.answer !== undefined) answers[id] = e.answer;
  return { v: SHARE_VERSION, lesson, code: { ...state.code }, answers, widgets: { ...state.widgets } };
}

/** A state made from a shared payload: its entries, with nothing marked passed. */
export function stateFromShare(p: SharePayload, total: number): LessonState {
  const exercises: Record<string, ExerciseRecord> = {};
  for (const [id, answer] of Object.entries(p.answers)) exercises[id] = { passed: false, answer };
  return { v: STATE_VERSION, exercises, code: { ...p.code }, widgets: { ...p.widgets }, total };
}

/** The payload as it goes after "?s=" in the address. */
export async function encodeShare(p: SharePayload): Promise<string> {
  return `${SHARE_VERSION}.${toBase64Url(await deflateRaw(new TextEncoder().encode(JSON.stringify(p))))}`;
}

/** A payload from a link, validated; what is wrong is said in a sentence. */
export async function decodeShare(text: string): Promise<Parsed<SharePayload>> {
  const bad = (why: string): Parsed<SharePayload> => ({ ok: false, error: `This share link can't be opened: ${why}` });
  if (text.length > MAX_SHARE_CHARS) return bad(`it is too long (${text.length.toLocaleString('en-US')} characters).`);
  const dot = text.indexOf('.');
  const version = dot > 0 ? text.slice(0, dot) : '';
  if (!/^\d+$/.test(version)) return bad('it has no version number; it may have been cut short when copied.');
  if (Number(version) > SHARE_VERSION) return bad(`it comes from a newer version of the course (share format ${version}).`);
  if (Number(version) !== SHARE_VERSION) return bad(`its share format (${version}) is unknown.`);
  const bytes = fromBase64Url(text.slice(dot + 1));
  if (!bytes) return bad('its data is damaged (not base64url).');
  const json = await inflateRaw(bytes, MAX_INFLATED_BYTES);
  if (!json) return bad('its data is damaged or too large.');
  let raw: unknown;
  try {
    raw = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(json));
  } catch {
    return bad('its data is not valid JSON.');
  }
  const hostile = forbiddenKey(raw);
  if (hostile) return bad(`its data contains the forbidden key "${hostile}".`);
  const r = v.safeParse(SharePayloadSchema, raw);
  return r.success ? { ok: true, value: r.output as SharePayload } : bad(`its data is malformed (${issueText(r.issues)}).`);
}

// ---- the address -------------------------------------------------------------------------------------------

export type Route = { page: 'home' } | { page: 'lesson'; id: string; share: string | null };

/** "#week-4" opens a lesson, "#week-4?s=…" one with a shared state, anything else the home. */
export function parseRoute(hash: string): Route {
  const h = hash.replace(/^#/, '');
  if (!h) return { page: 'home' };
  const q = h.indexOf('?');
  const id = decodeURIComponent(q >= 0 ? h.slice(0, q) : h);
  const share = q >= 0 ? new URLSearchParams(h.slice(q + 1)).get('s') : null;
  return { page: 'lesson', id, share };
}

export function lessonHash(id: string, share?: string): string {
  return `#${encodeURIComponent(id)}${share ? `?s=${share}` : ''}`;
}
