import { MAtomBase } from './nodes';
/**
 * Orders the nodes topologically (Kahn, FIFO: keeps the order items were added),
 * then renumbers them (`id`) and the atoms (`index`) in that order. Consumes
 * `indegree` (each node's in-degree, by id), which ends all zeros.
 */
export function orderTopologically(nodes, indegree, atomCount) {
    const n = nodes.length;
    const pending = indegree;
    const order = new Array(n);
    let tail = 0;
    for (let i = 0; i < n; i++)
        if (pending[i] === 0)
            order[tail++] = nodes[i];
    for (let head = 0; head < tail; head++) {
        const out = order[head].out;
        for (let k = 0; k < out.length; k++) {
            const to = out[k].to;
            if (--pending[to.id] === 0)
                order[tail++] = to;
        }
    }
    if (tail !== n)
        throw new Error('tf compiler: execution graph is not acyclic (internal error)');
    const atoms = new Array(atomCount);
    let atomIndex = 0;
    for (let id = 0; id < n; id++) {
        const node = order[id];
        node.id = id;
        if (node instanceof MAtomBase) {
            node.index = atomIndex;
            atoms[atomIndex++] = node;
        }
    }
    return { nodes: order, atoms };
}
//# sourceMappingURL=topological-order.js.map