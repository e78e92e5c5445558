// What a recompile keeps. A parameter is known by its full name in the graph's module ("linear_2.weight": the
// node id, then the name inside the node) and its shape: a parameter whose name and shape are both unchanged keeps
// its values and optimizer state, and everything else starts from its initialisation. Pure data, so the rule is
// tested in Node without a device.

/** A parameter as a recompile sees it. */
export interface NamedShape {
  name: string;
  shape: readonly number[];
}

export interface CarryPlan<F extends NamedShape, T extends NamedShape> {
  /** Same name and shape in both graphs: `to` continues from `from`. In the new graph's order. */
  kept: Array<{ from: F; to: T }>;
  /** In the new graph with no match, freshly initialised; `was` is the old shape when only the shape changed. */
  reset: Array<{ to: T; was: readonly number[] | null }>;
  /** Names in the old graph only (their node was removed, or renamed). */
  dropped: string[];
}

function sameShape(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((d, i) => d === b[i]);
}

/** Matches the parameters of the old graph (`from`) to the new one's (`to`) by name and shape. */
export function planCarry<F extends NamedShape, T extends NamedShape>(from: readonly F[], to: readonly T[]): CarryPlan<F, T> {
  const old = new Map(from.map((p) => [p.name, p]));
  const plan: CarryPlan<F, T> = { kept: [], reset: [], dropped: [] };
  const seen = new Set<string>();
  for (const p of to) {
    const f = old.get(p.name);
    seen.add(p.name);
    if (f && sameShape(f.shape, p.shape)) plan.kept.push({ from: f, to: p });
    else plan.reset.push({ to: p, was: f ? f.shape : null });
  }
  plan.dropped = from.filter((p) => !seen.has(p.name)).map((p) => p.name);
  return plan;
}

const shapeText = (s: readonly number[]): string => (s.length ? s.join('×') : 'scalar');

/** How many names a message lists before it says "and N more". */
const LISTED = 4;

function list(items: string[]): string {
  return items.length <= LISTED ? items.join(', ') : `${items.slice(0, LISTED).join(', ')} and ${items.length - LISTED} more`;
}

/**
 * One line for the training controls, e.g. "Reset linear_2.weight (shape 16×8 → 32×8), linear_2.bias (shape 16
 * → 32); kept 2 parameters; continuing from step 312."
 */
export function describeCarry(plan: CarryPlan<NamedShape, NamedShape>, step: number): string {
  const reset = plan.reset.map(({ to, was }) => `${to.name} (${was ? `shape ${shapeText(was)} → ${shapeText(to.shape)}` : `new, ${shapeText(to.shape)}`})`);
  const parts: string[] = [];
  if (reset.length) parts.push(`Reset ${list(reset)}`);
  if (plan.dropped.length) parts.push(`${parts.length ? 'dropped' : 'Dropped'} ${list(plan.dropped)}`);
  const kept = plan.kept.length;
  const keptText = !parts.length ? `Kept all ${kept} parameter${kept === 1 ? '' : 's'}` : `kept ${kept} parameter${kept === 1 ? '' : 's'}`;
  parts.push(keptText);
  parts.push(`continuing from step ${step}`);
  return `${parts.join('; ')}.`;
}
