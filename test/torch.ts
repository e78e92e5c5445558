// Runs Python scripts under Debian's PyTorch (python3-torch, 1.13 on CPU), the reference that exported checkpoints
// and PyTorch code are checked against. scripts/lib.sh installs it and names the interpreter in TORCH_PYTHON;
// a bare `python3` on PATH may be a pyenv or venv that lacks torch.
import { execFileSync } from 'node:child_process';

export const TORCH_PYTHON = process.env.TORCH_PYTHON ?? '/usr/bin/python3';

let checked = false;

/** Throws, saying how to install it, when TORCH_PYTHON cannot import torch. Tests that need PyTorch fail, never skip. */
export function requireTorch(): void {
  if (checked) return;
  try {
    execFileSync(TORCH_PYTHON, ['-c', 'import torch'], { stdio: 'pipe' });
  } catch (e) {
    throw new Error(
      `PyTorch is not importable by ${TORCH_PYTHON} (${(e as Error).message.split('\n')[0]}). ` +
        'On Debian: sudo apt-get install -y python3-torch (npm test installs it when run as root), ' +
        'or point TORCH_PYTHON at a Python that has torch.',
    );
  }
  checked = true;
}

/**
 * Runs `code` (a Python program) with `args`, returning its stdout. A failure throws with the script's stderr,
 * so a Python traceback shows in the test report.
 */
export function runTorch(code: string, args: readonly string[] = [], opts: { cwd?: string; env?: NodeJS.ProcessEnv; timeoutMs?: number } = {}): string {
  requireTorch();
  try {
    return execFileSync(TORCH_PYTHON, ['-c', code, ...args], {
      cwd: opts.cwd,
      env: { ...process.env, ...opts.env },
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'pipe'],
      timeout: opts.timeoutMs ?? 120_000,
      maxBuffer: 64 * 1024 * 1024,
    });
  } catch (e) {
    const err = e as Error & { stderr?: string; stdout?: string };
    throw new Error(`python failed: ${err.message.split('\n')[0]}\n--- stderr ---\n${err.stderr ?? ''}\n--- stdout ---\n${err.stdout ?? ''}`);
  }
}
