import { NotFoundError } from '../errors';
import type { EdgeIndex } from './edge-index';
import { MissingRequirementsError, type MissingRequirement } from './errors';
import type { AtomNode, CompiledFlow, Edge, ExecNode, FlowNode, RetryNode } from './types';

/** What `compile` returns: the execution graph and its queries. */
export class Compiled implements CompiledFlow {
  readonly requires: ReadonlySet<string>;

  constructor(
    readonly root: FlowNode,
    readonly atoms: readonly AtomNode[],
    readonly nodes: readonly ExecNode[],
    /** @internal The edges as adjacency (what the scheduler reads); `edges` and the nodes' `in`/`out` are made from it on first use. */
    readonly edgeIndex: EdgeIndex,
    readonly flows: readonly FlowNode[],
    private readonly byName: Map<string, AtomNode>,
    /** Flat pairs: symbol, atom name, symbol, atom name, ... */
    private readonly external: readonly string[],
  ) {
    const requires = new Set<string>();
    for (let i = 0; i < external.length; i += 2) requires.add(external[i]!);
    this.requires = requires;
  }

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
    const bySymbol = new Map<string, string[]>();
    const external = this.external;
    for (let i = 0; i < external.length; i += 2) {
      const symbol = external[i]!;
      const atom = external[i + 1]!;
      if (have.has(symbol)) continue;
      const list = bySymbol.get(symbol);
      if (!list) bySymbol.set(symbol, [atom]);
      else if (list[list.length - 1] !== atom) list.push(atom);
    }
    return [...bySymbol].map(([symbol, requiredBy]) => ({ symbol, requiredBy }));
  }

  validate(available: Iterable<string> = []): void {
    const missing = this.missing(available);
    if (missing.length > 0) throw new MissingRequirementsError(missing);
  }
}
