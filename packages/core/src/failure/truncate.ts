/**
 * How many levels of causes a failure keeps below itself. Deeper ones are replaced by one
 * marker cause ("N more causes truncated"), when a failure dict is read (from the wire or
 * `Failure.fromDict`) and when an error is captured (`Failure.fromError`), so a chain of
 * thousands of causes neither overflows the stack nor nests a message past its limit.
 */
export const MAX_FAILURE_CAUSE_DEPTH = 16;

/** The type name of the marker cause that stands for truncated causes. */
export const TRUNCATED_CAUSES_TYPE = 'TruncatedCauses';

/** The marker that replaces `count` causes (its chain ends in Python's `Exception`, as the wire wants). */
export function truncatedCausesDict(count: number): {
  exception_str: string;
  traceback_str: string;
  exc_type_names: string[];
} {
  return {
    exception_str: `${count} more cause${count === 1 ? '' : 's'} truncated`,
    traceback_str: '',
    exc_type_names: [TRUNCATED_CAUSES_TYPE, 'Exception'],
  };
}

type Dict = Record<string, unknown>;

function isDict(value: unknown): value is Dict {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

function causesOf(value: unknown): unknown[] | undefined {
  if (!isDict(value)) return undefined;
  const causes = value['causes'];
  return Array.isArray(causes) && causes.length > 0 ? causes : undefined;
}

/** Causes that are nothing but a marker left by an earlier cut (so a second cut keeps its count). */
function onlyMarker(causes: readonly unknown[]): boolean {
  const only = causes[0];
  if (causes.length !== 1 || !isDict(only) || causesOf(only)) return false;
  const names = only['exc_type_names'];
  return Array.isArray(names) && names[0] === TRUNCATED_CAUSES_TYPE;
}

/** How many cause dicts hang below `roots` (each root counted), through `causes` arrays; iterative. */
function countCauses(roots: readonly unknown[]): number {
  let count = 0;
  const seen = new Set<unknown>();
  const stack = [...roots];
  while (stack.length > 0) {
    const next = stack.pop();
    if (seen.has(next)) continue;
    seen.add(next);
    count += 1;
    const causes = causesOf(next);
    if (causes) for (const c of causes) stack.push(c);
  }
  return count;
}

/** True when some chain of `causes` goes deeper than `maxDepth` below `dict`; iterative. */
function tooDeep(dict: unknown, maxDepth: number): boolean {
  const stack: { node: unknown; depth: number }[] = [{ node: dict, depth: 0 }];
  const seen = new Set<unknown>();
  for (let top = stack.pop(); top !== undefined; top = stack.pop()) {
    const causes = causesOf(top.node);
    if (!causes || seen.has(top.node)) continue;
    seen.add(top.node);
    if (top.depth >= maxDepth) {
      if (onlyMarker(causes)) continue;
      return true;
    }
    for (const c of causes) stack.push({ node: c, depth: top.depth + 1 });
  }
  return false;
}

/**
 * `dict` with its chains of `causes` cut `maxDepth` levels below it: a failure at that
 * level keeps one marker cause saying how many were dropped. Anything else about the dict is
 * left for the schema to judge (this tolerates malformed input). A dict that is shallow
 * enough comes back as is; otherwise the dicts along the way are shallow copies (the input
 * is not changed).
 */
export function truncateFailureCauses<T>(dict: T, maxDepth: number = MAX_FAILURE_CAUSE_DEPTH): T {
  if (!tooDeep(dict, maxDepth)) return dict;
  const root: Dict = { ...(dict as Dict) };
  const stack: { copy: Dict; depth: number }[] = [{ copy: root, depth: 0 }];
  for (let top = stack.pop(); top !== undefined; top = stack.pop()) {
    const causes = causesOf(top.copy);
    if (!causes) continue;
    if (top.depth >= maxDepth) {
      if (onlyMarker(causes)) continue;
      top.copy['causes'] = [truncatedCausesDict(countCauses(causes))];
      continue;
    }
    const copies = causes.map((c) => (isDict(c) ? { ...c } : c));
    top.copy['causes'] = copies;
    for (const c of copies) if (isDict(c)) stack.push({ copy: c, depth: top.depth + 1 });
  }
  return root as T;
}
