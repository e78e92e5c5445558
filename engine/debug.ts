// A tiny opt-in debug log for decisions the engine makes on the user's behalf (a fused kernel falling back to a
// composed path, say). Off by default; on with setDebug(true) or the environment variable GPU_LEARN_DEBUG=1
// (Node only; a browser has no environment).

export type DebugSink = (msg: string) => void;

const envOn = typeof process !== 'undefined' && !!process.env && process.env.GPU_LEARN_DEBUG === '1';
let enabled = envOn;
let sink: DebugSink = (msg) => console.warn(`[gpu-learn] ${msg}`);

/** Turns the debug log on or off; `to` replaces where messages go (console.warn by default). */
export function setDebug(on: boolean, to?: DebugSink): void {
  enabled = on;
  if (to) sink = to;
}

export function isDebug(): boolean {
  return enabled;
}

/** Logs `msg` when debugging is on. Pass a function to avoid building the message when it is off. */
export function debugLog(msg: string | (() => string)): void {
  if (enabled) sink(typeof msg === 'string' ? msg : msg());
}
