import { type CompiledFlow, type Flow, NotFoundError, type StorageBackend } from '@tf/core';
import { type AtomView, failureView } from './atom-view';
import { flowGraph, type FlowGraph } from './graph-model';
import type { ViewSource, ViewUpdate } from './source';

/** A graph of the stored atoms alone, when the flow's definition is not at hand (no edges: the compact layout). */
function atomsOnly(name: string, atoms: readonly { name: string; kind: 'task' | 'retry' }[]): FlowGraph {
  return { name, nodes: atoms.map((atom, id) => ({ id, kind: atom.kind, name: atom.name, flow: name })), edges: [] };
}

/**
 * A finished (or suspended) flow detail read once from a persistence backend: the last
 * state, progress and failure of each atom. With the flow's definition, the graph is the
 * compiled one; without, the stored atoms side by side.
 */
export async function storedSource(backend: StorageBackend, flowUuid: string, flow?: Flow | CompiledFlow): Promise<ViewSource> {
  const record = await backend.loadFlow(flowUuid);
  const atoms = await backend.loadAtoms(flowUuid);
  if (!record && atoms.length === 0) throw new NotFoundError(`No flow detail ${JSON.stringify(flowUuid)} in this backend.`);
  const name = record?.name ?? flowUuid;
  const graph = flow ? flowGraph(flow) : atomsOnly(name, atoms);
  const views: Record<string, AtomView> = {};
  for (const atom of atoms) {
    const view: AtomView = { state: atom.state, progress: atom.progress };
    if (atom.failure !== undefined) view.failure = failureView(atom.failure);
    else if (atom.revertFailure !== undefined) view.failure = failureView(atom.revertFailure);
    views[atom.name] = view;
  }
  const snapshot: ViewUpdate = { now: Date.now(), flow: { name, state: record?.state ?? 'UNKNOWN' }, atoms: views, final: true };
  return {
    graph,
    snapshot: () => ({ ...snapshot, now: Date.now() }),
    takeChanges: () => undefined,
    onChange: () => undefined,
    dispose: () => undefined,
  };
}
