// The summary `npm run test:browser` ends with: the browser and WebGPU adapter the kernel suite ran on (recorded by
// adapter.browser.ts in the test's meta), pass/fail/skip counts per file and in all, and the wall time. When no
// adapter was found it repeats how to enable WebGPU, after vitest's own failure list.
import type { Reporter, TestModule } from 'vitest/node';
import { HOW_TO_ENABLE_WEBGPU, chooseChrome } from './chrome.js';

interface Counts {
  passed: number;
  failed: number;
  skipped: number;
}

export class KernelSuiteReporter implements Reporter {
  private started = Date.now();

  /** @param order the files in the order to list them (the order they run); others follow, by name. */
  constructor(private readonly order: readonly string[] = []) {}

  onTestRunStart(): void {
    this.started = Date.now();
  }

  onTestRunEnd(testModules: ReadonlyArray<TestModule>): void {
    let adapter: string | undefined;
    let userAgent: string | undefined;
    const total: Counts = { passed: 0, failed: 0, skipped: 0 };
    const rows: string[] = [];
    const rank = (m: TestModule): number => {
      const i = this.order.indexOf(m.relativeModuleId);
      return i < 0 ? this.order.length : i;
    };
    const sorted = [...testModules].sort(
      (a, b) => rank(a) - rank(b) || a.relativeModuleId.localeCompare(b.relativeModuleId),
    );
    for (const mod of sorted) {
      const c: Counts = { passed: 0, failed: 0, skipped: 0 };
      for (const t of mod.children.allTests()) {
        const state = t.result().state;
        if (state === 'passed') c.passed++;
        else if (state === 'skipped') c.skipped++;
        else c.failed++; // failed, or still pending when the run ended
        const meta = t.meta();
        adapter ??= meta.webgpuAdapter;
        userAgent ??= meta.userAgent;
      }
      // A file that failed to load (or whose beforeAll threw before any test was collected) still counts.
      if (c.passed + c.failed + c.skipped === 0 && mod.state() === 'failed') c.failed++;
      total.passed += c.passed;
      total.failed += c.failed;
      total.skipped += c.skipped;
      const ms = mod.diagnostic().duration;
      rows.push(`  ${mod.relativeModuleId.padEnd(36)} ${fmt(c).padEnd(34)} ${(ms / 1000).toFixed(1).padStart(6)} s`);
    }
    const secs = ((Date.now() - this.started) / 1000).toFixed(0);
    const browser = userAgent?.match(/(?:Headless)?Chrom(?:e|ium)\/[\d.]+/)?.[0] ?? 'unknown';
    const lines = [
      '',
      '[test:browser] kernel suite in Chrome',
      `  browser: ${chooseChrome().describe}, ${browser}`,
      `  WebGPU adapter: ${adapter ?? 'NONE (WebGPU unavailable: every GPU test failed)'}`,
      ...rows,
      `  ${'total'.padEnd(36)} ${fmt(total).padEnd(34)} ${secs.padStart(6)} s wall`,
    ];
    if (!adapter) lines.push('', `  ${HOW_TO_ENABLE_WEBGPU}`);
    console.log(lines.join('\n'));
  }
}

function fmt(c: Counts): string {
  return `${c.passed} passed, ${c.failed} failed` + (c.skipped ? `, ${c.skipped} skipped` : '');
}
