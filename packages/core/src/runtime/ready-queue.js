/**
 * A FIFO of atoms that may be ready, each queued at most once. Entries are checked again
 * when taken (readiness can be lost meanwhile), which keeps every operation O(1).
 */
export class ReadyQueue {
    #items = [];
    #head = 0;
    #queued;
    constructor(size) {
        this.#queued = new Uint8Array(size);
    }
    push(node) {
        if (this.#queued[node.index])
            return;
        this.#queued[node.index] = 1;
        this.#items.push(node);
    }
    shift() {
        if (this.#head >= this.#items.length)
            return undefined;
        const node = this.#items[this.#head++];
        this.#queued[node.index] = 0;
        if (this.#head > 1024 && this.#head * 2 > this.#items.length) {
            this.#items = this.#items.slice(this.#head);
            this.#head = 0;
        }
        return node;
    }
    some(predicate) {
        for (let i = this.#head; i < this.#items.length; i++)
            if (predicate(this.#items[i]))
                return true;
        return false;
    }
}
//# sourceMappingURL=ready-queue.js.map