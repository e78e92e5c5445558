// The course home's list and the registry it links to, and stat(): the numbers a lesson's prose states, recorded
// for the e2e test to compare with the page.
import { describe, expect, test } from 'vitest';
import { LESSONS } from '../playground/course/lessons/index';
import { formatStat, stat, statRecords } from '../playground/course/stat';
import { WEEK_GROUPS } from '../playground/course/types';
import { WEEKS, lessonIdFor } from '../playground/course/weeks';

describe('the course home', () => {
  test('lists all 13 week groups in order, each with a title and a one-line summary', () => {
    expect(WEEKS.map((w) => w.week)).toEqual([...WEEK_GROUPS]);
    expect(WEEKS).toHaveLength(13);
    for (const w of WEEKS) {
      expect(w.title.length, w.week).toBeGreaterThan(3);
      expect(w.summary.length, w.week).toBeGreaterThan(20);
      expect(w.summary, w.week).not.toContain('\n');
    }
  });

  test('a week links to its lesson exactly when the lesson is registered', () => {
    for (const w of WEEKS) {
      const id = lessonIdFor(w.week);
      expect(w.lesson, w.week).toBe(id in LESSONS ? id : undefined);
    }
  });

  test("every registered lesson is a week group's page, or a lesson of its own (a project) that names its week group", async () => {
    const ids = new Set(WEEK_GROUPS.map(lessonIdFor));
    for (const id of Object.keys(LESSONS)) {
      if (ids.has(id)) continue;
      // Not a week's page (e.g. project-qa, linked from week-19-20): no home card of its own, but a real week group.
      expect(id, `lessons/index.ts registers "${id}", which is neither week-<group> nor a lower-case id`).toMatch(/^[a-z0-9]+(-[a-z0-9]+)*$/);
      expect(id.startsWith('week-'), `"${id}" looks like a week's id but names no week group`).toBe(false);
      const lesson = await LESSONS[id]();
      expect(lesson.id, `the lesson registered as "${id}"`).toBe(id);
      expect(WEEK_GROUPS, `lesson "${id}" names week ${lesson.week}`).toContain(lesson.week);
    }
    // Loading a lesson starts the numbers its prose states: let them settle before the stat() tests count promises.
    for (let i = 0; i < 3000 && statRecords().pending > 0; i++) await new Promise((r) => setTimeout(r, 10));
  });
});

describe('stat()', () => {
  test('renders the formatted value in a data-stat span and records the unrounded value', () => {
    const t = stat('test-coin-bits', 1, 3);
    expect(t.strings.join('|')).toContain('data-stat=');
    expect(t.values).toEqual(['test-coin-bits', '1.000']);
    expect(statRecords().values['test-coin-bits']).toEqual({ value: 1, text: '1.000' });
  });

  test('formats: digits, percent, int, a function', () => {
    expect(formatStat(Math.PI, 2)).toBe('3.14');
    expect(formatStat(0.9534, 'percent')).toBe('95.3%');
    expect(formatStat(12345.6, 'int')).toBe('12,346');
    expect(formatStat(2, (v) => `${v} bits`)).toBe('2 bits');
    expect(formatStat(NaN)).toBe('NaN');
  });

  test('a promised value is recorded when it settles; conflicts, non-finite values and failures are problems', async () => {
    stat('test-later', Promise.resolve(0.25), 2);
    expect(statRecords().pending).toBe(1);
    await new Promise((r) => setTimeout(r, 0));
    expect(statRecords().pending).toBe(0);
    expect(statRecords().values['test-later']).toEqual({ value: 0.25, text: '0.25' });

    stat('test-twice', 1, 1);
    stat('test-twice', 2, 1);
    stat('test-nan', NaN);
    const errors = console.error;
    console.error = () => undefined; // stat() reports a failed promise on the console, as the page should
    stat('test-fails', Promise.reject(new Error('no data')));
    await new Promise((r) => setTimeout(r, 0));
    console.error = errors;
    const problems = statRecords().problems;
    expect(problems).toContain('stat "test-twice" was recorded as 1.0 and again as 2.0');
    expect(problems).toContain('stat "test-nan" is not a finite number: NaN');
    expect(problems).toContain('stat "test-fails" failed: no data');
  });

  test('a name that would not survive a CSS selector is refused', () => {
    expect(() => stat('two words', 1)).toThrow(/must be letters, digits/);
  });
});
