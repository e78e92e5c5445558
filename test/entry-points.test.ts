// The playground, the benchmarks and the scripts reach the engine only through its three entries: engine/index.ts
// (the library), engine/course.ts (the course material) and engine/bench.ts (backend-level benchmarking). This
// scans their sources for any other engine path and names the file and line of each.
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, normalize, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, test } from 'vitest';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const SCANNED = ['playground', 'bench', 'scripts'];
const ENTRIES = new Set(['engine/index', 'engine/course', 'engine/bench']);

// A module specifier after `from`, after a bare `import`, or inside `import(…)`.
const SPECIFIER = /(?:\bfrom|\bimport)\s*\(?\s*(['"])([^'"]+)\1/g;

/** `file:line: specifier` for each import of an engine path other than its entries. `file` is relative to the root. */
function deepEngineImports(file: string, source: string): string[] {
  const found: string[] = [];
  source.split('\n').forEach((line, i) => {
    for (const m of line.matchAll(SPECIFIER)) {
      const spec = m[2];
      if (!spec.startsWith('.')) continue; // a package
      const target = normalize(join(dirname(file), spec)).split('\\').join('/').replace(/\.(ts|js)$/, '');
      const module = target === 'engine' ? 'engine/index' : target;
      if (module.startsWith('engine/') && !ENTRIES.has(module)) found.push(`${file}:${i + 1}: ${spec}`);
    }
  });
  return found;
}

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const path = join(dir, e.name);
    if (e.isDirectory()) return e.name === 'node_modules' ? [] : sourceFiles(path);
    return /\.(ts|mts|js|mjs)$/.test(e.name) ? [path] : [];
  });
}

describe('engine entry points', () => {
  test('the matcher flags a deep import in every form, and passes the entries and everything else', () => {
    const source = [
      "import { Linear } from '../../engine/nn/layers';",
      'import type { Tensor } from "../../engine/tensor";',
      "  tensor, tidy,",
      "} from '../../engine/backend/cpu';",
      "export { tidy } from '../../engine/memory.ts';",
      "const { webgpuBackend } = await import('../../engine/device');",
      "import '../../engine/debug';",
      "import { init, nn } from '../../engine/index';",
      "import { loadMnist } from '../../engine/course';",
      "import { CpuBackend } from '../../engine/bench.ts';",
      "import { Graph } from '../graph/graph';",
      "import { measure } from '../../bench/attention-core';",
      "import { html } from 'lit';",
      "// engine/backend/gpu/matmul.ts has the variants",
    ].join('\n');
    expect(deepEngineImports('playground/graph/x.ts', source)).toEqual([
      'playground/graph/x.ts:1: ../../engine/nn/layers',
      'playground/graph/x.ts:2: ../../engine/tensor',
      'playground/graph/x.ts:4: ../../engine/backend/cpu',
      'playground/graph/x.ts:5: ../../engine/memory.ts',
      'playground/graph/x.ts:6: ../../engine/device',
      'playground/graph/x.ts:7: ../../engine/debug',
    ]);
    // The same specifier is fine or not depending on where the file is.
    expect(deepEngineImports('bench/x.ts', "import { x } from '../engine/ops/layout';")).toEqual([
      'bench/x.ts:1: ../engine/ops/layout',
    ]);
    expect(deepEngineImports('bench/x.ts', "import { x } from './engine/ops/layout';")).toEqual([]);
  });

  test('playground/, bench/ and scripts/ import the engine only through index, course and bench', () => {
    const files = SCANNED.flatMap((dir) => sourceFiles(join(ROOT, dir)));
    expect(files.length).toBeGreaterThan(20);
    const found = files.flatMap((path) => deepEngineImports(relative(ROOT, path), readFileSync(path, 'utf8')));
    expect(found, 'import these through engine/index.ts, engine/course.ts or engine/bench.ts').toEqual([]);
  });
});
