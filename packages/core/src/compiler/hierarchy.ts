import { isRetry, isTask } from '../atoms/atom';
import type { Retry } from '../atoms/retry';
import type { Task } from '../atoms/task';
import { InvalidFlowError } from '../patterns/errors';
import { isFlow, type Flow } from '../patterns/flow';
import { DuplicateNameError } from './errors';
import { MFlow, MRetry, MTask, type MAtom } from './nodes';

/** The flows and atoms of a flow being compiled, with the indexes the later phases look items up in. */
export interface Hierarchy {
  readonly root: MFlow;
  /** Every atom in tree order (pre-order, a flow's retry before its items). */
  readonly tree: MAtom[];
  /** Every flow, the root first, parents before children. */
  readonly flows: MFlow[];
  readonly byFlow: Map<Flow, MFlow>;
  /** Atoms by name (the first one, when names collide). */
  readonly byName: Map<string, MAtom>;
}

const reusedItem = (flow: MFlow, name: string): InvalidFlowError =>
  new InvalidFlowError(flow.name, `'${name}' appears more than once in the flow (or contains its own flow)`, name);

/**
 * Builds the hierarchy of `rootFlow` in tree order, without recursion, indexing
 * atom names on the way. Throws `InvalidFlowError` for an item met twice (a task
 * met twice collides with its own name, a flow met twice is in `byFlow`) and
 * `DuplicateNameError` with every duplicated atom name.
 */
export function buildHierarchy(rootFlow: Flow): Hierarchy {
  const tree: MAtom[] = [];
  const flows: MFlow[] = [];
  const retries = new Set<Retry>();
  const byFlow = new Map<Flow, MFlow>();
  const byName = new Map<string, MAtom>();
  let duplicates: Set<string> | undefined;
  /** Tasks whose name collided with another atom's (to still catch them being reused). */
  let collided: Set<Task> | undefined;
  const index = (a: MAtom): void => {
    const other = byName.get(a.name);
    if (other === undefined) byName.set(a.name, a);
    else (duplicates ??= new Set()).add(a.name);
  };
  const newFlow = (flow: Flow, parent: MFlow | undefined): MFlow => {
    const f = new MFlow(flow, parent, tree);
    flows.push(f);
    byFlow.set(flow, f);
    f.nearestRetry = parent?.nearestRetry;
    f.start = tree.length;
    const retry = flow.retry;
    if (retry !== undefined) {
      if (!isRetry(retry)) throw new InvalidFlowError(flow.name, 'its retry is not a Retry');
      if (retries.has(retry)) throw new InvalidFlowError(flow.name, `retry '${retry.name}' is used by more than one flow`, retry.name);
      retries.add(retry);
      const r = new MRetry(retry, f, tree);
      r.retry = parent?.nearestRetry;
      tree.push(r);
      index(r);
      f.retry = r;
      f.nearestRetry = r;
    }
    return f;
  };
  const root = newFlow(rootFlow, undefined);
  const frames: { f: MFlow; i: number }[] = [{ f: root, i: 0 }];
  while (frames.length > 0) {
    const frame = frames[frames.length - 1]!;
    const f = frame.f;
    const items = f.flow.items;
    if (frame.i >= items.length) {
      f.end = tree.length;
      frames.pop();
      continue;
    }
    const pos = frame.i++;
    const item = items[pos]!;
    if (isFlow(item)) {
      if (byFlow.has(item)) throw reusedItem(f, item.name);
      const child = newFlow(item, f);
      child.pos = pos;
      f.children[pos] = child;
      frames.push({ f: child, i: 0 });
    } else if (isTask(item)) {
      const other = byName.get(item.name);
      if (other !== undefined) {
        if (other.atom === item || collided?.has(item)) throw reusedItem(f, item.name);
        (collided ??= new Set()).add(item);
      }
      const a = new MTask(item, f);
      a.pos = pos;
      a.retry = f.nearestRetry;
      tree.push(a);
      f.children[pos] = a;
      if (other === undefined) byName.set(a.name, a);
      else (duplicates ??= new Set()).add(a.name);
    } else {
      throw new InvalidFlowError(f.name, `cannot compile ${String(item)}: items are tasks or flows`);
    }
  }
  if (duplicates !== undefined) throw new DuplicateNameError([...duplicates]);
  // A flat flow without retry: its items are the tree, in the same order; one array less.
  if (flows.length === 1 && root.retry === undefined) root.children = tree as MTask[];
  return { root, tree, flows, byFlow, byName };
}
