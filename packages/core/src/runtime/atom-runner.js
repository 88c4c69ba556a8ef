/**
 * Calls an atom's `execute` or `revert` with its arguments: a retry controller
 * directly, a task through the executor. Returns the outcome or a promise of it;
 * throws what the atom throws.
 */
export class AtomRunner {
    storage;
    executor;
    transitions;
    constructor(storage, executor, transitions) {
        this.storage = storage;
        this.executor = executor;
        this.transitions = transitions;
    }
    execute(node) {
        const args = this.storage.fetchArgs(node);
        if (node.kind === 'retry') {
            const retry = node;
            return retry.atom.execute(this.storage.getHistory(node.name), args);
        }
        const task = node;
        return this.executor.execute(task.atom, args, {
            node: task,
            flowUuid: this.storage.flowUuid,
            onProgress: (progress, details) => this.transitions.progress(node, progress, details),
        });
    }
    revert(node) {
        const args = revertArgs(this.storage, node);
        if (node.kind === 'retry')
            return node.atom.revert(this.storage.getHistory(node.name), args);
        const task = node;
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
export function revertArgs(storage, node) {
    try {
        return storage.fetchArgs(node);
    }
    catch {
        const args = {};
        for (const binding of node.args.values()) {
            try {
                args[binding.arg] = binding.injected ? node.atom.inject[binding.symbol] : storage.fetch(binding.symbol);
            }
            catch {
                // a value that is gone stays out
            }
        }
        return args;
    }
}
//# sourceMappingURL=atom-runner.js.map