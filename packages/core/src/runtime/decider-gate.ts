import type { AtomNode, EdgeDecider } from '../compiler/types';
import type { DeciderDepth } from '../patterns/flow';
import type { Readiness } from './readiness';
import type { Storage } from './storage';
import type { Successors } from './successors';
import type { Transitions } from './transitions';

const DEPTH_WIDTH: Record<DeciderDepth, number> = { ATOM: 0, NEIGHBORS: 1, FLOW: 2, ALL: 3 };

/** Applies the deciders that gate an atom, and ignores what a "no" reaches. */
export class DeciderGate {
  constructor(
    private readonly storage: Storage,
    private readonly transitions: Transitions,
    private readonly readiness: Readiness,
    private readonly successors: Successors,
  ) {}

  /** True to run the atom; false when a decider said no and it was ignored. */
  allows(node: AtomNode): boolean {
    if (node.deciders.length === 0) return true;
    const history: Record<string, unknown> = {};
    const voters: EdgeDecider[] = [];
    for (const d of node.deciders) {
      if (d.from.kind === 'task' || d.from.kind === 'retry') {
        if (this.storage.getState(d.from.name) === 'IGNORE') continue;
        history[d.from.name] = this.storage.get(d.from.name);
      }
      voters.push(d);
    }
    let widest: DeciderDepth | undefined;
    for (const d of voters) {
      if (!d.decider({ ...history })) {
        if (widest === undefined || DEPTH_WIDTH[d.depth] > DEPTH_WIDTH[widest]) widest = d.depth;
      }
    }
    if (widest === undefined) return true;
    this.#ignore(node, widest);
    return false;
  }

  #ignore(node: AtomNode, depth: DeciderDepth): void {
    const affected: AtomNode[] = [node];
    if (depth === 'ALL') affected.push(...this.successors.of(node));
    else if (depth === 'FLOW') affected.push(...this.successors.inSameFlow(node));
    else if (depth === 'NEIGHBORS') affected.push(...this.successors.neighbors(node));
    for (const atom of affected) {
      if (this.storage.getState(atom.name) !== 'PENDING') continue;
      this.transitions.changeState(atom, 'IGNORE');
      this.storage.setIntention(atom.name, 'IGNORE');
    }
    for (const atom of affected) this.readiness.refresh(atom);
  }
}
