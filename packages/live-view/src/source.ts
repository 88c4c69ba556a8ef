import type { FlowGraph } from './graph-model';
import type { AtomView } from './atom-view';

/** What the page is sent: the flow's state and the atoms that changed (all of them in a snapshot). */
export interface ViewUpdate {
  /** The server's `Date.now()` when sent: the page's clock for running durations. */
  readonly now: number;
  readonly flow: { readonly name: string; readonly state: string };
  readonly atoms: Readonly<Record<string, AtomView>>;
  /** True for a stored flow: nothing more will come. */
  readonly final?: boolean;
}

/** What a live view shows: a graph, a snapshot, and changes as they happen. */
export interface ViewSource {
  readonly graph: FlowGraph;
  snapshot(): ViewUpdate;
  /** The changes since the last call (undefined when none). */
  takeChanges(): ViewUpdate | undefined;
  /** `listener` is called (at most once per change burst is fine) when there are changes to take. */
  onChange(listener: () => void): void;
  dispose(): void;
}
