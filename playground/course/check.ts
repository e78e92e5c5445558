// The exercise checks for Node tests and scripts: everything the page uses (check-core.ts), plus inProcess, which runs
// a code cell's text in this thread through the same transpiler and sandbox as the page's worker, e.g.
//   const r = await checkCode(ex, inProcess(ex, ex.solution, engine), seed);   // r.ok, r.message
export * from './check-core';
export { inProcess } from './sandbox';
