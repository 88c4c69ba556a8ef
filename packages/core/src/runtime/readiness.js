import { ReadyQueue } from './ready-queue';
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
    #storage;
    #nodes;
    #atoms;
    #execPending;
    #revPending;
    #done;
    #clear;
    #readyExec;
    #readyRevert;
    constructor(compiled, storage) {
        this.#storage = storage;
        this.#nodes = compiled.nodes;
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
    initialise() {
        const nodes = this.#nodes;
        for (const node of nodes) {
            let pending = 0;
            for (const e of node.in)
                if (!this.#done[e.from.id])
                    pending++;
            this.#execPending[node.id] = pending;
            this.#done[node.id] = this.#isDone(node) ? 1 : 0;
        }
        for (let i = nodes.length - 1; i >= 0; i--) {
            const node = nodes[i];
            let pending = 0;
            for (const e of node.out)
                if (!this.#clear[e.to.id])
                    pending++;
            this.#revPending[node.id] = pending;
            this.#clear[node.id] = this.#isClear(node) ? 1 : 0;
        }
        this.#readyExec = new ReadyQueue(this.#atoms.length);
        this.#readyRevert = new ReadyQueue(this.#atoms.length);
        for (const node of this.#atoms)
            this.#checkReady(node);
    }
    /** Re-evaluates a node after its state, intention or counters changed, propagating flips. */
    refresh(start) {
        const stack = [start];
        while (stack.length > 0) {
            const node = stack.pop();
            const done = this.#isDone(node) ? 1 : 0;
            if (done !== this.#done[node.id]) {
                this.#done[node.id] = done;
                const delta = done ? -1 : 1;
                for (const e of node.out) {
                    this.#execPending[e.to.id] += delta;
                    stack.push(e.to);
                }
            }
            const clear = this.#isClear(node) ? 1 : 0;
            if (clear !== this.#clear[node.id]) {
                this.#clear[node.id] = clear;
                const delta = clear ? -1 : 1;
                for (const e of node.in) {
                    this.#revPending[e.from.id] += delta;
                    stack.push(e.from);
                }
            }
            if (node.kind === 'task' || node.kind === 'retry')
                this.#checkReady(node);
        }
    }
    /** The next atom queued for reverting that still may revert. */
    nextToRevert() {
        for (let node = this.#readyRevert.shift(); node; node = this.#readyRevert.shift()) {
            if (this.canRevert(node))
                return node;
        }
        return undefined;
    }
    /** The next atom queued for executing that still may execute. */
    nextToExecute() {
        for (let node = this.#readyExec.shift(); node; node = this.#readyExec.shift()) {
            if (this.canExecute(node))
                return node;
        }
        return undefined;
    }
    /** True when a queued atom could still execute or revert (the run stopped with work left). */
    hasReadyWork() {
        return this.#readyExec.some((n) => this.canExecute(n)) || this.#readyRevert.some((n) => this.canRevert(n));
    }
    canExecute(node) {
        if (this.#execPending[node.id] !== 0 || this.#storage.getIntention(node.name) !== 'EXECUTE')
            return false;
        const s = this.#storage.getState(node.name);
        return s === 'PENDING' || s === 'RETRYING';
    }
    canRevert(node) {
        if (this.#revPending[node.id] !== 0)
            return false;
        const i = this.#storage.getIntention(node.name);
        if (i !== 'REVERT' && i !== 'RETRY')
            return false;
        const s = this.#storage.getState(node.name);
        return s === 'SUCCESS' || s === 'FAILURE';
    }
    #isDone(node) {
        if (node.kind === 'flow' || node.kind === 'flow_end')
            return this.#execPending[node.id] === 0;
        const s = this.#storage.getState(node.name);
        if (s !== 'SUCCESS' && s !== 'IGNORE')
            return false;
        const i = this.#storage.getIntention(node.name);
        return i === 'EXECUTE' || i === 'IGNORE';
    }
    #isClear(node) {
        if (this.#revPending[node.id] !== 0)
            return false;
        if (node.kind === 'flow' || node.kind === 'flow_end')
            return true;
        const s = this.#storage.getState(node.name);
        return s === 'PENDING' || s === 'REVERTED' || s === 'IGNORE';
    }
    #checkReady(node) {
        if (this.canExecute(node))
            this.#readyExec.push(node);
        if (this.canRevert(node))
            this.#readyRevert.push(node);
    }
}
//# sourceMappingURL=readiness.js.map