import type { EdgeIndex } from './edge-index';
import { MJoin, NO_DECIDERS, type MNode } from './nodes';
import type { Edge, EdgeDecider, ExecNode } from './types';

/**
 * Gives every atom its deciders: those on links into it, plus those on links into
 * the flow entries it is reached through. `nodes` must be in topological order, by id.
 */
export function collectDeciders(nodes: readonly MNode[], edges: EdgeIndex): void {
  const inherited = new Map<MJoin, readonly EdgeDecider[]>();
  const { inStart, inEdge, edgeFrom } = edges;
  for (let id = 0; id < nodes.length; id++) {
    const node = nodes[id]!;
    if (node.kind === 'flow_end') continue;
    let result: readonly EdgeDecider[] = NO_DECIDERS;
    let owned = false; // `result` is a fresh array we may append to
    for (let j = inStart[id]!, end = inStart[id + 1]!; j < end; j++) {
      const k = inEdge[j]!;
      const from = nodes[edgeFrom[k]!]!;
      const decider = edges.deciderAt(k);
      let add: readonly EdgeDecider[] | undefined;
      if (decider) {
        const link = edges.linkAt(k)!;
        add = [{ from: from as ExecNode, decider, depth: link.deciderDepth ?? 'ALL', edge: link as Edge }];
      } else if (from.kind === 'flow') add = inherited.get(from as MJoin)!;
      if (decider && from.kind === 'flow') add = [...add!, ...inherited.get(from as MJoin)!];
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
