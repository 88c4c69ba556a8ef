import type { AtomNode, RetryNode, TaskNode } from '../compiler/types';
import type { TaskExecutor } from './executor';
import type { Storage } from './storage';
import type { Transitions } from './transitions';

/**
 * Calls an atom's `execute` or `revert` with its arguments: a retry controller
 * directly, a task through the executor. Returns the outcome or a promise of it;
 * throws what the atom throws.
 */
export class AtomRunner {
  constructor(
    private readonly storage: Storage,
    private readonly executor: TaskExecutor,
    private readonly transitions: Transitions,
  ) {}

  execute(node: AtomNode): unknown {
    const args = this.storage.fetchArgs(node);
    if (node.kind === 'retry') {
      const retry = node as RetryNode;
      return retry.atom.execute(this.storage.getHistory(node.name), args);
    }
    const task = node as TaskNode;
    return this.executor.execute(task.atom, args, {
      node: task,
      flowUuid: this.storage.flowUuid,
      onProgress: (progress, details) => this.transitions.progress(node, progress, details),
    });
  }

  revert(node: AtomNode): unknown {
    const args = revertArgs(this.storage, node);
    if (node.kind === 'retry') return (node as RetryNode).atom.revert(this.storage.getHistory(node.name), args);
    const task = node as TaskNode;
    return this.executor.revert(task.atom, args, {
      node: task,
      flowUuid: this.storage.flowUuid,
      onProgress: (progress, details) => this.transitions.progress(node, progress, details),
      result: this.storage.get(node.name),
      flowFailures: this.storage.getFailures(),
    });
  }
}

/** Revert gets the same arguments as execute, as far as they can still be found. */
export function revertArgs(storage: Storage, node: AtomNode): Record<string, unknown> {
  try {
    return storage.fetchArgs(node);
  } catch {
    const args: Record<string, unknown> = {};
    for (const binding of node.argList) {
      try {
        args[binding.arg] = binding.injected ? node.atom.inject[binding.symbol] : storage.fetch(binding.symbol);
      } catch {
        // a value that is gone stays out
      }
    }
    return args;
  }
}
