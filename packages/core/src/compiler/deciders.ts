import { MJoin, NO_DECIDERS, type MNode } from './nodes';
import type { Edge, EdgeDecider, ExecNode } from './types';

/**
 * Gives every atom its deciders: those on links into it, plus those on links into
 * the flow entries it is reached through. `order` must be topological.
 */
export function collectDeciders(order: readonly MNode[]): void {
  const inherited = new Map<MJoin, readonly EdgeDecider[]>();
  for (let id = 0; id < order.length; id++) {
    const node = order[id]!;
    if (node.kind === 'flow_end') continue;
    let result: readonly EdgeDecider[] = NO_DECIDERS;
    let owned = false; // `result` is a fresh array we may append to
    const ins = node.in;
    for (let k = 0; k < ins.length; k++) {
      const e = ins[k]!;
      let add: readonly EdgeDecider[] | undefined;
      if (e.decider) add = [{ from: e.from as ExecNode, decider: e.decider, depth: e.deciderDepth ?? 'ALL', edge: e as Edge }];
      else if (e.from.kind === 'flow') add = inherited.get(e.from as MJoin)!;
      if (e.decider && e.from.kind === 'flow') add = [...add!, ...inherited.get(e.from as MJoin)!];
      if (!add || add.length === 0) continue;
      if (result.length === 0) result = add;
      else {
        if (!owned) {
          result = [...result];
          owned = true;
        }
        (result as EdgeDecider[]).push(...add);
      }
    }
    if (node instanceof MJoin) inherited.set(node, result);
    else node.deciders = result;
  }
}
