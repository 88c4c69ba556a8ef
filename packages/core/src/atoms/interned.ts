/**
 * Shares the read-only collections of atom bindings between atoms that compute equal ones.
 * A flow of 100,000 instances of one task class would otherwise hold 600,000 sets and maps
 * that say the same thing (about 800 bytes per atom). Bindings are never mutated after they
 * are computed, so one copy serves every atom with that content.
 */

/** Distinct contents kept per kind of collection; beyond that, new contents are not shared. */
const MAX_ENTRIES = 4_096;
const SEP = '\u0000';

const EMPTY_SET: ReadonlySet<never> = new Set<never>();
const EMPTY_MAP: ReadonlyMap<never, never> = new Map<never, never>();

const sets = new Map<string, ReadonlySet<string>>();
const stringMaps = new Map<string, ReadonlyMap<string, string>>();
const saveAsMaps = new Map<string, ReadonlyMap<string, string | number | null>>();
const versions = new Map<string, readonly [number, number]>();

function remember<V>(cache: Map<string, V>, key: string, value: V): V {
  if (cache.size < MAX_ENTRIES) cache.set(key, value);
  return value;
}

/** One shared set per distinct content (in order). */
export function internSet(values: ReadonlySet<string>): ReadonlySet<string> {
  if (values.size === 0) return EMPTY_SET;
  const key = [...values].join(SEP);
  return sets.get(key) ?? remember(sets, key, values);
}

/** One shared `argName -> symbol` map per distinct content (in order). */
export function internStringMap(map: ReadonlyMap<string, string>): ReadonlyMap<string, string> {
  if (map.size === 0) return EMPTY_MAP;
  let key = '';
  for (const [k, v] of map) key += `${k}${SEP}${v}${SEP}`;
  return stringMaps.get(key) ?? remember(stringMaps, key, map);
}

/** One shared `symbol -> key/index/null` map per distinct content (keys and value types alike). */
export function internSaveAs(map: ReadonlyMap<string, string | number | null>): ReadonlyMap<string, string | number | null> {
  if (map.size === 0) return EMPTY_MAP;
  let key = '';
  for (const [k, v] of map) key += `${k}${SEP}${v === null ? 'n' : typeof v === 'number' ? `#${v}` : `s${v}`}${SEP}`;
  return saveAsMaps.get(key) ?? remember(saveAsMaps, key, map);
}

/** One frozen `[major, minor]` per version. */
export function internVersion(major: number, minor: number): readonly [number, number] {
  const key = `${major}.${minor}`;
  return versions.get(key) ?? remember(versions, key, Object.freeze([major, minor] as [number, number]));
}
