// Lesson progress as data: the home's three states, saving and reading back (an unreadable state is set aside,
// never overwritten), share links (round trip, and every way a link can be bad, each with its own sentence), and
// the address's routes.
import { describe, expect, test } from 'vitest';
import {
  decodeShare, emptyState, encodeShare, lessonHash, parseLessonState, parseRoute, progressOf, sharePayload, stateFromShare,
  type LessonState,
} from '../playground/course/progress';
import { MemoryKV, ProgressStore } from '../playground/course/store';

const sample = (): LessonState => ({
  v: 1,
  total: 3,
  exercises: {
    'coin-bits': { passed: true, last: { ok: true, message: 'Right: the answer is 1.' }, answer: '1' },
    pick: { passed: false, last: { ok: false, message: 'Not this one.' }, answer: 2 },
  },
  code: { 'xent-cell': 'function xent(l, y) {\n  return 0;\n}' },
  widgets: { 'entropy-bars#0': { p: [0.2, 0.8] } },
});

describe('progress', () => {
  test('not started, in progress, done', () => {
    expect(progressOf(undefined)).toBe('not started');
    expect(progressOf(emptyState(3))).toBe('not started');
    expect(progressOf({ ...emptyState(3), widgets: { 'w#0': 1 } })).toBe('in progress');
    expect(progressOf(sample())).toBe('in progress');
    const all = sample();
    all.exercises.pick.passed = true;
    all.exercises['xent-cell'] = { passed: true };
    expect(progressOf(all)).toBe('done');
    // a lesson with no exercises is never "done" by default
    expect(progressOf({ ...emptyState(0), widgets: { 'w#0': 1 } })).toBe('in progress');
  });

  test('a saved state reads back; a damaged one is set aside with a reason and the lesson starts fresh', async () => {
    const kv = new MemoryKV();
    const store = new ProgressStore(kv);
    await store.save('week-4', sample());
    expect((await store.load('week-4')).state).toEqual(sample());
    expect(await store.load('week-9')).toEqual({ state: null, error: null });
    expect(await store.progress(['week-4', 'week-9'])).toEqual({ 'week-4': 'in progress', 'week-9': 'not started' });

    const damaged = { ...sample(), code: { 'xent-cell': 42 } };
    await kv.set('lesson:week-4', damaged);
    const r = await store.load('week-4');
    expect(r.state).toBeNull();
    expect(r.error).toMatch(/^Your saved progress for this lesson could not be read \(at code\.xent-cell: .*\)\. It was set aside/);
    expect(await kv.get('lesson:week-4:unreadable')).toEqual(damaged);
    expect(await kv.get('lesson:week-4')).toBeUndefined();

    await store.save('week-4', sample());
    await store.clear('week-4');
    expect((await store.load('week-4')).state).toBeNull();
  });

  test('a state from a newer version says so', () => {
    const r = parseLessonState({ ...sample(), v: 2 });
    expect(r).toEqual({ ok: false, error: 'it was saved by a newer version of the course (format 2; this page reads 1)' });
  });

  test('keys that could reach a prototype are refused', () => {
    const raw = JSON.parse('{"v":1,"total":1,"exercises":{},"code":{"__proto__":"x"},"widgets":{}}') as unknown;
    expect(parseLessonState(raw)).toEqual({ ok: false, error: 'it contains the forbidden key "__proto__"' });
    const deep = JSON.parse('{"v":1,"total":1,"exercises":{},"code":{},"widgets":{"w#0":{"a":[{"constructor":1}]}}}') as unknown;
    expect(parseLessonState(deep).ok).toBe(false);
  });
});

describe('share links', () => {
  test('round trip: answers, code and widget settings travel; results do not', async () => {
    const text = await encodeShare(sharePayload('week-4', sample()));
    expect(text).toMatch(/^1\.[A-Za-z0-9_-]+$/);
    const r = await decodeShare(text);
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.value).toEqual({ v: 1, lesson: 'week-4', code: sample().code, answers: { 'coin-bits': '1', pick: 2 }, widgets: sample().widgets });
    const s = stateFromShare(r.value, 3);
    expect(s.exercises['coin-bits']).toEqual({ passed: false, answer: '1' });
    expect(progressOf(s)).toBe('in progress');
  });

  test('every kind of bad link gets its own sentence', async () => {
    const good = await encodeShare(sharePayload('week-4', sample()));
    const err = async (t: string) => {
      const r = await decodeShare(t);
      expect(r.ok, t.slice(0, 40)).toBe(false);
      return r.ok ? '' : r.error;
    };
    expect(await err('x'.repeat(200_001))).toMatch(/too long/);
    expect(await err('abc')).toMatch(/no version number/);
    expect(await err(`9.${good.slice(2)}`)).toMatch(/newer version of the course \(share format 9\)/);
    expect(await err('0.abc')).toMatch(/share format \(0\) is unknown/);
    expect(await err('1.a+b/')).toMatch(/not base64url/);
    expect(await err(good.slice(0, good.length - 12))).toMatch(/damaged or too large/);
    const raw = async (value: unknown) => {
      const bytes = new Uint8Array(await new Response(new Blob([JSON.stringify(value)]).stream().pipeThrough(new CompressionStream('deflate-raw'))).arrayBuffer());
      return `1.${btoa(String.fromCharCode(...bytes)).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '')}`;
    };
    expect(await err(await raw({ v: 1, lesson: 'week-4', code: { a: 5 }, answers: {}, widgets: {} }))).toMatch(/malformed \(at code\.a: /);
    expect(await err(await raw({ v: 1, lesson: 'week-4', code: { a: 'x'.repeat(20_001) }, answers: {}, widgets: {} }))).toMatch(/longer than 20,000 characters/);
    expect(await err(await raw(JSON.parse('{"v":1,"lesson":"week-4","code":{},"answers":{"__proto__":1},"widgets":{}}')))).toMatch(/forbidden key "__proto__"/);
    // a "zip bomb": a short link that inflates past the cap
    expect(await err(await raw({ v: 1, lesson: 'week-4', code: {}, answers: {}, widgets: { w: 'a'.repeat(2_000_000) } }))).toMatch(/damaged or too large/);
  });
});

describe('routes', () => {
  test('home, a lesson, a lesson with a shared state', () => {
    expect(parseRoute('')).toEqual({ page: 'home' });
    expect(parseRoute('#')).toEqual({ page: 'home' });
    expect(parseRoute('#week-4')).toEqual({ page: 'lesson', id: 'week-4', share: null });
    expect(parseRoute('#week-1-2?s=1.abc_-')).toEqual({ page: 'lesson', id: 'week-1-2', share: '1.abc_-' });
    expect(lessonHash('week-4', '1.xyz')).toBe('#week-4?s=1.xyz');
    expect(parseRoute(lessonHash('week-4', '1.xyz'))).toEqual({ page: 'lesson', id: 'week-4', share: '1.xyz' });
  });
});
