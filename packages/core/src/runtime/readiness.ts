import { adjacencyOf, type Adjacency } from '../compiler/edge-index';
import type { AtomNode, CompiledFlow, ExecNode } from '../compiler/types';
import { ReadyQueue } from './ready-queue';
import type { Storage } from './storage';

/** An atom node, or a join node. */
type AnyNode = ExecNode | AtomNode;

/**
 * Which atoms may execute and which may revert, kept by counters so a run costs
 * time linear in atoms + edges: `execPending[n]` counts predecessors of node `n`
 * that are not done (an atom is done when it SUCCEEDED or was IGNORED with an
 * execute intention; a join node when all its predecessors are); `revPending[n]`
 * counts successors that are not clear (an atom is clear when PENDING, REVERTED or
 * IGNORED and everything after it is clear). An atom may execute when its
 * `execPending` is 0, and revert when its `revPending` is 0.
 */
export class Readiness {
  readonly #storage: Storage;
  readonly #nodes: readonly ExecNode[];
  /** The edges by node id (the compiled flow's adjacency: no edge objects needed). */
  readonly #edges: Adjacency;
  readonly #atoms: readonly AtomNode[];
  readonly #execPending: Int32Array;
  readonly #revPending: Int32Array;
  readonly #done: Uint8Array;
  readonly #clear: Uint8Array;
  #readyExec: ReadyQueue;
  #readyRevert: ReadyQueue;

  constructor(compiled: CompiledFlow, storage: Storage) {
    this.#storage = storage;
    this.#nodes = compiled.nodes;
    this.#edges = adjacencyOf(compiled);
    this.#atoms = compiled.atoms;
    const n = this.#nodes.length;
    this.#execPending = new Int32Array(n);
    this.#revPending = new Int32Array(n);
    this.#done = new Uint8Array(n);
    this.#clear = new Uint8Array(n);
    this.#readyExec = new ReadyQueue(this.#atoms.length);
    this.#readyRevert = new ReadyQueue(this.#atoms.length);
  }

  /** Computes every counter from the stored states (a fresh run and a resumed one alike). */
  initialise(): void {
    const nodes = this.#nodes;
    const { edgeFrom, edgeTo, inStart, inEdge, outStart, outEdge } = this.#edges;
    for (let id = 0; id < nodes.length; id++) {
      let pending = 0;
      for (let j = inStart[id]!, end = inStart[id + 1]!; j < end; j++) if (!this.#done[edgeFrom[inEdge[j]!]!]) pending++;
      this.#execPending[id] = pending;
      this.#done[id] = this.#isDone(nodes[id]!) ? 1 : 0;
    }
    for (let id = nodes.length - 1; id >= 0; id--) {
      let pending = 0;
      for (let j = outStart[id]!, end = outStart[id + 1]!; j < end; j++) if (!this.#clear[edgeTo[outEdge[j]!]!]) pending++;
      this.#revPending[id] = pending;
      this.#clear[id] = this.#isClear(nodes[id]!) ? 1 : 0;
    }
    this.#readyExec = new ReadyQueue(this.#atoms.length);
    this.#readyRevert = new ReadyQueue(this.#atoms.length);
    for (const node of this.#atoms) this.#checkReady(node);
  }

  /** Re-evaluates a node after its state, intention or counters changed, propagating flips. */
  refresh(start: AnyNode): void {
    const nodes = this.#nodes;
    const { edgeFrom, edgeTo, inStart, inEdge, outStart, outEdge } = this.#edges;
    const stack: AnyNode[] = [start];
    while (stack.length > 0) {
      const node = stack.pop()!;
      const id = node.id;
      const done = this.#isDone(node) ? 1 : 0;
      if (done !== this.#done[id]) {
        this.#done[id] = done;
        const delta = done ? -1 : 1;
        for (let j = outStart[id]!, end = outStart[id + 1]!; j < end; j++) {
          const to = edgeTo[outEdge[j]!]!;
          this.#execPending[to]! += delta;
          stack.push(nodes[to]!);
        }
      }
      const clear = this.#isClear(node) ? 1 : 0;
      if (clear !== this.#clear[id]) {
        this.#clear[id] = clear;
        const delta = clear ? -1 : 1;
        for (let j = inStart[id]!, end = inStart[id + 1]!; j < end; j++) {
          const from = edgeFrom[inEdge[j]!]!;
          this.#revPending[from]! += delta;
          stack.push(nodes[from]!);
        }
      }
      if (node.kind === 'task' || node.kind === 'retry') this.#checkReady(node as AtomNode);
    }
  }

  /** The next atom queued for reverting that still may revert. */
  nextToRevert(): AtomNode | undefined {
    for (let node = this.#readyRevert.shift(); node; node = this.#readyRevert.shift()) {
      if (this.canRevert(node)) return node;
    }
    return undefined;
  }

  /** The next atom queued for executing that still may execute. */
  nextToExecute(): AtomNode | undefined {
    for (let node = this.#readyExec.shift(); node; node = this.#readyExec.shift()) {
      if (this.canExecute(node)) return node;
    }
    return undefined;
  }

  /** True when a queued atom could still execute or revert (the run stopped with work left). */
  hasReadyWork(): boolean {
    return this.#readyExec.some((n) => this.canExecute(n)) || this.#readyRevert.some((n) => this.canRevert(n));
  }

  canExecute(node: AtomNode): boolean {
    if (this.#execPending[node.id] !== 0 || this.#storage.getIntention(node.name) !== 'EXECUTE') return false;
    const s = this.#storage.getState(node.name);
    return s === 'PENDING' || s === 'RETRYING';
  }

  canRevert(node: AtomNode): boolean {
    if (this.#revPending[node.id] !== 0) return false;
    const i = this.#storage.getIntention(node.name);
    if (i !== 'REVERT' && i !== 'RETRY') return false;
    const s = this.#storage.getState(node.name);
    return s === 'SUCCESS' || s === 'FAILURE';
  }

  #isDone(node: AnyNode): boolean {
    if (node.kind === 'flow' || node.kind === 'flow_end') return this.#execPending[node.id] === 0;
    const s = this.#storage.getState(node.name);
    if (s !== 'SUCCESS' && s !== 'IGNORE') return false;
    const i = this.#storage.getIntention(node.name);
    return i === 'EXECUTE' || i === 'IGNORE';
  }

  #isClear(node: AnyNode): boolean {
    if (this.#revPending[node.id] !== 0) return false;
    if (node.kind === 'flow' || node.kind === 'flow_end') return true;
    const s = this.#storage.getState(node.name);
    return s === 'PENDING' || s === 'REVERTED' || s === 'IGNORE';
  }

  #checkReady(node: AtomNode): void {
    if (this.canExecute(node)) this.#readyExec.push(node);
    if (this.canRevert(node)) this.#readyRevert.push(node);
  }
}
