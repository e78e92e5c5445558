// The lesson registry: a lesson's id (its folder here, and its address learn.html#<id>) → a loader that imports the
// folder only when the lesson is opened, so the course home and the other lessons never download it.
//
// To add a lesson: write lessons/<id>/index.ts exporting `lesson: Lesson`, then add one line below, e.g.
//   'week-4': () => import('./week-4/index').then((m) => m.lesson),
// A lesson whose id is `week-<group>` (week-0, week-1-2, …) becomes that week's link on the course home
// (see ../weeks.ts); the e2e test (test/e2e/course.e2e.ts) opens every lesson listed here.
import type { Lesson } from '../types';

export const LESSONS: Record<string, () => Promise<Lesson>> = {
  'week-0': () => import('./week-0/index').then((m) => m.lesson),
  'week-1-2': () => import('./week-1-2/index').then((m) => m.lesson),
  'week-3': () => import('./week-3/index').then((m) => m.lesson),
  'week-4': () => import('./week-4/index').then((m) => m.lesson),
  'week-8-9': () => import('./week-8-9/index').then((m) => m.lesson),
  'week-7': () => import('./week-7/index').then((m) => m.lesson),
  'week-5-6': () => import('./week-5-6/index').then((m) => m.lesson),
  'week-10': () => import('./week-10/index').then((m) => m.lesson),
  'week-11-12': () => import('./week-11-12/index').then((m) => m.lesson),
  'week-13-14': () => import('./week-13-14/index').then((m) => m.lesson),
  'week-15-16': () => import('./week-15-16/index').then((m) => m.lesson),
  'week-17-18': () => import('./week-17-18/index').then((m) => m.lesson),
  'project-qa': () => import('./project-qa/index').then((m) => m.lesson),
  'week-19-20': () => import('./week-19-20/index').then((m) => m.lesson),
};
