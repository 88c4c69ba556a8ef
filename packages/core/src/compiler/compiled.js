import { NotFoundError } from '../errors';
import { MissingRequirementsError } from './errors';
/** What `compile` returns: the execution graph and its queries. */
export class Compiled {
    root;
    atoms;
    nodes;
    edges;
    flows;
    byName;
    external;
    requires;
    constructor(root, atoms, nodes, edges, flows, byName, 
    /** Flat pairs: symbol, atom name, symbol, atom name, ... */
    external) {
        this.root = root;
        this.atoms = atoms;
        this.nodes = nodes;
        this.edges = edges;
        this.flows = flows;
        this.byName = byName;
        this.external = external;
        const requires = new Set();
        for (let i = 0; i < external.length; i += 2)
            requires.add(external[i]);
        this.requires = requires;
    }
    get(name) {
        return this.byName.get(name);
    }
    has(name) {
        return this.byName.has(name);
    }
    atomOf(atom) {
        const node = typeof atom === 'string' ? this.byName.get(atom) : atom;
        if (!node || this.byName.get(node.name) !== node)
            throw new NotFoundError(`No atom '${typeof atom === 'string' ? atom : atom.name}' in flow '${this.root.name}'`);
        return node;
    }
    scope(retry) {
        const node = this.atomOf(retry);
        if (node.kind !== 'retry')
            throw new NotFoundError(`'${node.name}' is not a retry controller`);
        return node.scope;
    }
    atomPredecessors(atom) {
        return this.walk(this.atomOf(atom), 'in');
    }
    atomSuccessors(atom) {
        return this.walk(this.atomOf(atom), 'out');
    }
    walk(start, dir) {
        const out = [];
        const seen = new Set();
        const stack = start[dir].map((e) => (dir === 'in' ? e.from : e.to));
        while (stack.length > 0) {
            const node = stack.pop();
            if (seen.has(node))
                continue;
            seen.add(node);
            if (node.kind === 'task' || node.kind === 'retry')
                out.push(node);
            else
                for (const e of node[dir])
                    stack.push(dir === 'in' ? e.from : e.to);
        }
        return out.sort((a, b) => a.index - b.index);
    }
    missing(available = []) {
        const have = available instanceof Set ? available : new Set(available);
        const bySymbol = new Map();
        const external = this.external;
        for (let i = 0; i < external.length; i += 2) {
            const symbol = external[i];
            const atom = external[i + 1];
            if (have.has(symbol))
                continue;
            const list = bySymbol.get(symbol);
            if (!list)
                bySymbol.set(symbol, [atom]);
            else if (list[list.length - 1] !== atom)
                list.push(atom);
        }
        return [...bySymbol].map(([symbol, requiredBy]) => ({ symbol, requiredBy }));
    }
    validate(available = []) {
        const missing = this.missing(available);
        if (missing.length > 0)
            throw new MissingRequirementsError(missing);
    }
}
//# sourceMappingURL=compiled.js.map