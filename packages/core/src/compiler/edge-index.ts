import type { Decider } from '../patterns/flow';
import { explicitLink, reasonList, type LinkTable } from '../patterns/link-table';
import { MEdge, MLinkEdge, type MNode } from './nodes';
import type { CompiledFlow, Edge } from './types';

/**
 * The edges of an execution graph as compressed adjacency by node id: edge `k` goes from
 * node `edgeFrom[k]` to node `edgeTo[k]`; the edges into node `i` are the edge numbers
 * `inEdge[inStart[i] .. inStart[i+1]]`, the edges out of it `outEdge[outStart[i] ..
 * outStart[i+1]]`, each in the order the edges were made (what `node.in` / `node.out` list).
 * Typed arrays: a 100k-node graph is a few arrays the garbage collector never copies,
 * instead of 200k edge objects and 200k arrays.
 */
export interface Adjacency {
  readonly edgeFrom: Int32Array;
  readonly edgeTo: Int32Array;
  readonly inStart: Int32Array;
  readonly inEdge: Int32Array;
  readonly outStart: Int32Array;
  readonly outEdge: Int32Array;
}

/** Counting sort of the edges by one end (stable: keeps edge order). `start` has `nodeCount + 1` entries. */
function groupBy(nodeCount: number, end: Int32Array): { start: Int32Array; edge: Int32Array } {
  const m = end.length;
  const start = new Int32Array(nodeCount + 1);
  for (let k = 0; k < m; k++) start[end[k]! + 1]!++;
  for (let i = 0; i < nodeCount; i++) start[i + 1]! += start[i]!;
  const at = start.slice(0, nodeCount);
  const edge = new Int32Array(m);
  for (let k = 0; k < m; k++) edge[at[end[k]!]!++] = k;
  return { start, edge };
}

/** The edges out of each node (see {@link Adjacency}). */
export function outEdges(nodeCount: number, edgeFrom: Int32Array): { start: Int32Array; edge: Int32Array } {
  return groupBy(nodeCount, edgeFrom);
}

/** Both directions of the edges `edgeFrom[k] -> edgeTo[k]`. */
export function adjacency(nodeCount: number, edgeFrom: Int32Array, edgeTo: Int32Array): Adjacency {
  const ins = groupBy(nodeCount, edgeTo);
  const outs = groupBy(nodeCount, edgeFrom);
  return { edgeFrom, edgeTo, inStart: ins.start, inEdge: ins.edge, outStart: outs.start, outEdge: outs.edge };
}

const NO_EDGES: readonly MEdge[] = Object.freeze([]);

/**
 * A compiled flow's edges: its adjacency, and the `Edge` objects (`compiled.edges`,
 * `node.in`, `node.out`), made on first use. The scheduler reads the adjacency only, so a
 * run does not need them; rendering and the graph queries do.
 */
export class EdgeIndex implements Adjacency {
  readonly edgeFrom: Int32Array;
  readonly edgeTo: Int32Array;
  readonly inStart: Int32Array;
  readonly inEdge: Int32Array;
  readonly outStart: Int32Array;
  readonly outEdge: Int32Array;
  /** The link edges made so far, by link number. */
  readonly #linkEdges = new Map<number, MLinkEdge>();
  #edges: MEdge[] | undefined;
  #in: (readonly MEdge[])[] | undefined;
  #out: (readonly MEdge[])[] | undefined;

  constructor(
    /** By id. */
    private readonly nodes: readonly MNode[],
    adjacency: Adjacency,
    /** Edge `k` is link `edgeLink[k]` of `links` when it is a link edge; -1 otherwise. */
    private readonly edgeLink: Int32Array,
    private readonly links: LinkTable,
  ) {
    this.edgeFrom = adjacency.edgeFrom;
    this.edgeTo = adjacency.edgeTo;
    this.inStart = adjacency.inStart;
    this.inEdge = adjacency.inEdge;
    this.outStart = adjacency.outStart;
    this.outEdge = adjacency.outEdge;
  }

  /** The decider on edge `k` (a link made with one). */
  deciderAt(k: number): Decider | undefined {
    const l = this.edgeLink[k]!;
    return l < 0 ? undefined : explicitLink(this.links, l)?.decider;
  }

  /** The link edge that edge `k` is, if it is one (made on first use, then the same object). */
  linkAt(k: number): MLinkEdge | undefined {
    const l = this.edgeLink[k]!;
    if (l < 0) return undefined;
    const made = this.#linkEdges.get(l);
    if (made !== undefined) return made;
    const meta = explicitLink(this.links, l);
    const decider = meta?.decider;
    const edge = new MLinkEdge(
      this.nodes[this.edgeFrom[k]!]!,
      this.nodes[this.edgeTo[k]!]!,
      meta !== undefined,
      reasonList(this.links.reasons[l]!),
      decider,
      decider ? meta!.deciderDepth : undefined,
    );
    this.#linkEdges.set(l, edge);
    return edge;
  }

  get edges(): readonly MEdge[] {
    return this.#edges ?? this.#materialize();
  }

  inOf(id: number): readonly MEdge[] {
    if (this.#in === undefined) this.#materialize();
    return this.#in![id]!;
  }

  outOf(id: number): readonly MEdge[] {
    if (this.#out === undefined) this.#materialize();
    return this.#out![id]!;
  }

  /**
   * Makes every edge object (in the order the edges were made) and every node's `in` and
   * `out` arrays, at exact size. A node with one edge gets a one-element array; an edge that
   * is both its source's only out-edge and its target's only in-edge (the `order` edges of
   * linear flows) puts the same array in both (read-only, so shareable).
   */
  #materialize(): MEdge[] {
    const { nodes, edgeFrom, edgeTo, inStart, outStart } = this;
    const n = nodes.length;
    const m = edgeFrom.length;
    const edges = new Array<MEdge>(m);
    for (let k = 0; k < m; k++) edges[k] = this.linkAt(k) ?? new MEdge(nodes[edgeFrom[k]!]!, nodes[edgeTo[k]!]!);
    const ins = new Array<readonly MEdge[]>(n);
    const outs = new Array<readonly MEdge[]>(n);
    for (let i = 0; i < n; i++) {
      const indeg = inStart[i + 1]! - inStart[i]!;
      const outdeg = outStart[i + 1]! - outStart[i]!;
      ins[i] = indeg === 0 ? NO_EDGES : indeg === 1 ? (undefined as unknown as MEdge[]) : new Array<MEdge>(indeg);
      outs[i] = outdeg === 0 ? NO_EDGES : outdeg === 1 ? (undefined as unknown as MEdge[]) : new Array<MEdge>(outdeg);
    }
    const inAt = inStart.slice(0, n);
    const outAt = outStart.slice(0, n);
    for (let k = 0; k < m; k++) {
      const e = edges[k]!;
      const from = edgeFrom[k]!;
      const to = edgeTo[k]!;
      let single: MEdge[] | undefined;
      if (outStart[from + 1]! - outStart[from]! === 1) outs[from] = single = [e];
      else (outs[from] as MEdge[])[outAt[from]!++ - outStart[from]!] = e;
      if (inStart[to + 1]! - inStart[to]! === 1) ins[to] = single ?? [e];
      else (ins[to] as MEdge[])[inAt[to]!++ - inStart[to]!] = e;
    }
    this.#in = ins;
    this.#out = outs;
    this.#edges = edges;
    return edges;
  }
}

/** The adjacency of `compiled`: its own, or (a `CompiledFlow` made elsewhere) read from its nodes' `in` and `out`. */
export function adjacencyOf(compiled: CompiledFlow): Adjacency {
  const own = (compiled as { edgeIndex?: unknown }).edgeIndex;
  if (own instanceof EdgeIndex) return own;
  const nodes = compiled.nodes;
  const numbers = new Map<Edge, number>();
  const from: number[] = [];
  const to: number[] = [];
  const n = nodes.length;
  const outStart = new Int32Array(n + 1);
  for (let i = 0; i < n; i++) {
    for (const e of nodes[i]!.out) {
      numbers.set(e, from.length);
      from.push(i);
      to.push(e.to.id);
    }
    outStart[i + 1] = from.length;
  }
  const inStart = new Int32Array(n + 1);
  const inEdge: number[] = [];
  for (let i = 0; i < n; i++) {
    for (const e of nodes[i]!.in) inEdge.push(numbers.get(e)!);
    inStart[i + 1] = inEdge.length;
  }
  return {
    edgeFrom: Int32Array.from(from),
    edgeTo: Int32Array.from(to),
    inStart,
    inEdge: Int32Array.from(inEdge),
    outStart,
    outEdge: Int32Array.from(from, (_, k) => k),
  };
}
