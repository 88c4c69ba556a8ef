import { isPromiseLike } from './executor';
/** The atoms still running, and the completions of those that finished, in the order they finished. */
export class Completions {
    #running = 0;
    #inbox = [];
    #wake;
    /** Atoms started and not finished. */
    get running() {
        return this.#running;
    }
    /** True when a completion waits to be taken. */
    get hasCompletions() {
        return this.#inbox.length > 0;
    }
    /** Forgets everything (a new run). */
    reset() {
        this.#inbox = [];
        this.#running = 0;
    }
    /** The completion of an outcome known now; for a promise, counts the atom as running and returns undefined. */
    settle(node, job, outcome) {
        if (!isPromiseLike(outcome))
            return { node, job, ok: true, value: outcome };
        this.#running++;
        Promise.resolve(outcome).then((value) => this.#deliver({ node, job, ok: true, value }), (error) => this.#deliver({ node, job, ok: false, value: error }));
        return undefined;
    }
    /** The oldest completion not taken yet. */
    take() {
        return this.#inbox.shift();
    }
    /** Resolves when the next completion arrives. */
    arrival() {
        return new Promise((resolve) => (this.#wake = resolve));
    }
    #deliver(completion) {
        this.#running--;
        this.#inbox.push(completion);
        const wake = this.#wake;
        this.#wake = undefined;
        wake?.();
    }
}
//# sourceMappingURL=completions.js.map