/** The atoms after an atom in the execution graph (what a retry resets, what a decider's "no" ignores). */
export class Successors {
    #nodeCount;
    #cache = new Map();
    constructor(nodes) {
        this.#nodeCount = nodes.length;
    }
    /** Every atom after `node` (its transitive successors), in atom order. */
    of(node) {
        const cached = this.#cache.get(node.id);
        if (cached)
            return cached;
        const out = this.#walk(node, false);
        this.#cache.set(node.id, out);
        return out;
    }
    /** The atoms after `node` reached without crossing a flow boundary or a retry (TaskFlow's FLOW depth). */
    inSameFlow(node) {
        return this.#walk(node, true);
    }
    #walk(node, sameFlow) {
        const seen = new Uint8Array(this.#nodeCount);
        const out = [];
        const stack = [node];
        seen[node.id] = 1;
        while (stack.length > 0) {
            const current = stack.pop();
            for (const e of current.out) {
                const next = e.to;
                if (seen[next.id])
                    continue;
                seen[next.id] = 1;
                if (sameFlow && next.kind !== 'task')
                    continue;
                if (next.kind === 'task' || next.kind === 'retry')
                    out.push(next);
                stack.push(next);
            }
        }
        out.sort((a, b) => a.index - b.index);
        return out;
    }
}
//# sourceMappingURL=successors.js.map