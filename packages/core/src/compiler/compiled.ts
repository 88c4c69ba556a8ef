import { NotFoundError } from '../errors';
import type { EdgeIndex } from './edge-index';
import { MissingRequirementsError, type MissingRequirement } from './errors';
import type { AtomNode, CompiledFlow, Edge, ExecNode, FlowNode, RetryNode } from './types';

/** What `compile` returns: the execution graph and its queries. */
export class Compiled implements CompiledFlow {
  constructor(
    readonly root: FlowNode,
    readonly atoms: readonly AtomNode[],
    readonly nodes: readonly ExecNode[],
    /** @internal The edges as adjacency (what the scheduler reads); `edges` and the nodes' `in`/`out` are made from it on first use. */
    readonly edgeIndex: EdgeIndex,
    readonly flows: readonly FlowNode[],
    private readonly byName: Map<string, AtomNode>,
    /** Every atom in tree order (what `missing` lists them in). */
    private readonly tree: readonly AtomNode[],
    /** The symbols that must come from outside, in the order `missing` meets them. */
    readonly requires: ReadonlySet<string>,
  ) {}

  get edges(): readonly Edge[] {
    return this.edgeIndex.edges as readonly Edge[];
  }

  get(name: string): AtomNode | undefined {
    return this.byName.get(name);
  }

  has(name: string): boolean {
    return this.byName.has(name);
  }

  private atomOf(atom: string | AtomNode): AtomNode {
    const node = typeof atom === 'string' ? this.byName.get(atom) : atom;
    if (!node || this.byName.get(node.name) !== node)
      throw new NotFoundError(`No atom '${typeof atom === 'string' ? atom : atom.name}' in flow '${this.root.name}'`);
    return node;
  }

  scope(retry: string | RetryNode): readonly AtomNode[] {
    const node = this.atomOf(retry);
    if (node.kind !== 'retry') throw new NotFoundError(`'${node.name}' is not a retry controller`);
    return (node as RetryNode).scope;
  }

  atomPredecessors(atom: string | AtomNode): AtomNode[] {
    return this.walk(this.atomOf(atom), 'in');
  }

  atomSuccessors(atom: string | AtomNode): AtomNode[] {
    return this.walk(this.atomOf(atom), 'out');
  }

  private walk(start: AtomNode, dir: 'in' | 'out'): AtomNode[] {
    const out: AtomNode[] = [];
    const seen = new Set<ExecNode>();
    const stack: ExecNode[] = start[dir].map((e) => (dir === 'in' ? e.from : e.to));
    while (stack.length > 0) {
      const node = stack.pop()!;
      if (seen.has(node)) continue;
      seen.add(node);
      if (node.kind === 'task' || node.kind === 'retry') out.push(node);
      else for (const e of node[dir]) stack.push(dir === 'in' ? e.from : e.to);
    }
    return out.sort((a, b) => a.index - b.index);
  }

  missing(available: Iterable<string> = []): MissingRequirement[] {
    const have = available instanceof Set ? (available as Set<string>) : new Set(available);
    if (this.requires.size === 0) return [];
    const bySymbol = new Map<string, string[]>();
    // The external requirements are the bindings without provider, neither optional nor injected.
    for (const a of this.tree) {
      for (const b of a.argList) {
        if (b.provider !== undefined || b.optional || b.injected || have.has(b.symbol)) continue;
        const list = bySymbol.get(b.symbol);
        if (!list) bySymbol.set(b.symbol, [a.name]);
        else if (list[list.length - 1] !== a.name) list.push(a.name);
      }
    }
    return [...bySymbol].map(([symbol, requiredBy]) => ({ symbol, requiredBy }));
  }

  validate(available: Iterable<string> = []): void {
    const missing = this.missing(available);
    if (missing.length > 0) throw new MissingRequirementsError(missing);
  }
}
