// Hooks for the browser tests on `window.__courseTest`, installed only when the address has `?test-hooks`: what
// stat() recorded (to compare with the [data-stat] text on the page), each exercise's demo answers (the right one,
// and the wrong ones its checker must refuse), so the e2e test drives every registered lesson without knowing it,
// and the lesson's state, to check what a reload restores.
import type { LessonState } from './progress';
import { statRecords } from './stat';
import type { Claim, Lesson } from './types';

/** An exercise's answers for the tests, one shape for every kind (code: the solution and the wrong programs). */
export interface ExerciseDemo {
  id: string;
  kind: 'number' | 'choice' | 'target' | 'code';
  right: unknown;
  wrong: unknown[];
}

export interface CourseTestHooks {
  stats: typeof statRecords;
  /** The open lesson's exercises, in page order; empty on the home. */
  exercises: ExerciseDemo[];
  /** The open lesson's state as the page holds it (what it saves); null on the home. */
  state(): LessonState | null;
  /** The open lesson's claims about its numbers; empty on the home. */
  claims: Claim[];
}

function demos(lesson: Lesson): ExerciseDemo[] {
  return lesson.sections.flatMap((s): ExerciseDemo[] => {
    if (s.kind !== 'exercise') return [];
    const ex = s.exercise;
    switch (ex.kind) {
      case 'number':
        return [{ id: ex.id, kind: ex.kind, right: ex.demo.right, wrong: [ex.demo.wrong] }];
      case 'choice':
        return [{ id: ex.id, kind: ex.kind, right: ex.correct, wrong: [ex.demo.wrong] }];
      case 'target':
        return [{ id: ex.id, kind: ex.kind, right: ex.demo.right, wrong: [ex.demo.wrong] }];
      case 'code':
        return [{ id: ex.id, kind: ex.kind, right: ex.solution, wrong: ex.demo.wrong }];
    }
  });
}

export function installCourseTestHooks(lesson: Lesson | null, state: () => LessonState | null = () => null): void {
  if (!new URLSearchParams(location.search).has('test-hooks')) return;
  window.__courseTest = { stats: statRecords, exercises: lesson ? demos(lesson) : [], state, claims: lesson?.claims ?? [] };
}

declare global {
  interface Window {
    __courseTest?: CourseTestHooks;
  }
}
