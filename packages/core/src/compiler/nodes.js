import { requiresOfItems } from '../patterns/flow';
// The compiler's internal, mutable node shapes (exposed through the readonly interfaces).
//
// Memory matters here more than anywhere: a 100k-atom flow retains every object
// below, and objects that survive while `compile` is still allocating are copied
// by the young-generation GC (twice) before they are promoted. So: no per-atom
// Sets, Maps or closures; `in`/`out`/`argList` arrays allocated at their exact size
// (a `push` onto `[]` reserves 17 slots); constant fields on prototypes; scratch
// indexes as typed arrays, dropped when compile returns.
const NO_STRINGS = Object.freeze([]);
export const NO_DECIDERS = Object.freeze([]);
const NO_ARGS = Object.freeze([]);
const NO_EDGES = Object.freeze([]);
/** A `structure`, `retry` or `order` edge: `manual`, `reasons`, `decider` and `deciderDepth` come from the prototype. */
export class MEdge {
    from;
    to;
    kind;
    constructor(from, to, kind) {
        this.from = from;
        this.to = to;
        this.kind = kind;
    }
}
Object.defineProperties(MEdge.prototype, {
    manual: { value: false, enumerable: true, writable: true },
    reasons: { value: NO_STRINGS, enumerable: true, writable: true },
    decider: { value: undefined, enumerable: true, writable: true },
    deciderDepth: { value: undefined, enumerable: true, writable: true },
});
/** A `link` edge of a graph flow (own fields). */
export class MLinkEdge extends MEdge {
    constructor(from, to, manual, reasons, decider, deciderDepth) {
        super(from, to, 'link');
        const self = this;
        self.manual = manual;
        self.reasons = reasons;
        self.decider = decider;
        self.deciderDepth = deciderDepth;
    }
}
class MNodeBase {
    id = -1;
    /** Exact-size arrays, filled once every edge is known. */
    in = NO_EDGES;
    out = NO_EDGES;
}
export class MJoin extends MNodeBase {
    kind;
    flow;
    constructor(kind, flow) {
        super();
        this.kind = kind;
        this.flow = flow;
    }
    get name() {
        return this.kind === 'flow' ? this.flow.name : `${this.flow.name}[$]`;
    }
}
export class MAtomBase extends MNodeBase {
    flow;
    index = -1;
    /** Position among the parent flow's items (-1 for a retry). */
    pos = -1;
    retry;
    /** The bindings in argMapping order; `args` (a Map) is built from it on first use. */
    argList = NO_ARGS;
    #args;
    get args() {
        if (this.#args === undefined) {
            const map = new Map();
            for (const b of this.argList)
                map.set(b.arg, b);
            this.#args = map;
        }
        return this.#args;
    }
    deciders = NO_DECIDERS;
    name;
    constructor(atom, flow) {
        super();
        this.flow = flow;
        this.name = atom.name;
    }
    get flowPath() {
        return this.flow.path;
    }
}
export class MTask extends MAtomBase {
    atom;
    constructor(atom, flow) {
        super(atom, flow);
        this.atom = atom;
    }
}
Object.defineProperty(MTask.prototype, 'kind', { value: 'task', enumerable: true });
export class MRetry extends MAtomBase {
    atom;
    tree;
    #scope;
    constructor(atom, flow, tree) {
        super(atom, flow);
        this.atom = atom;
        this.tree = tree;
    }
    get controls() {
        return this.flow;
    }
    get scope() {
        return (this.#scope ??= Object.freeze(this.tree.slice(this.flow.start + 1, this.flow.end)));
    }
}
Object.defineProperty(MRetry.prototype, 'kind', { value: 'retry', enumerable: true });
export class MFlow {
    flow;
    parent;
    tree;
    name;
    pattern;
    depth;
    path;
    entry;
    exit;
    retry;
    /** Nearest retry controller of atoms in this flow (its own, else its parent's). */
    nearestRetry;
    /** Filled by position (exact size). */
    children;
    /** Position among the parent flow's items. */
    pos = -1;
    start = 0;
    end = 0;
    /** Symbols needed from outside / provided (computed on first use, see `ensureSymbols`). */
    syms;
    /** Compile-time scratch (dropped by `release`). */
    graph;
    #atoms;
    #provIndex;
    finals;
    constructor(flow, parent, tree) {
        this.flow = flow;
        this.parent = parent;
        this.tree = tree;
        this.name = flow.name;
        this.pattern = flow.pattern;
        this.depth = parent ? parent.depth + 1 : 0;
        this.path = Object.freeze(parent ? [...parent.path, this] : [this]);
        this.entry = new MJoin('flow', this);
        this.exit = new MJoin('flow_end', this);
        this.children = new Array(flow.items.length);
    }
    get requires() {
        return (this.syms ?? ensureSymbols(this)).requires;
    }
    get provides() {
        return (this.syms ?? ensureSymbols(this)).provides;
    }
    get atoms() {
        return (this.#atoms ??= Object.freeze(this.tree.slice(this.start, this.end)));
    }
    /** symbol -> position of the item providing it, or ascending positions when several do. */
    get provIndex() {
        if (this.#provIndex)
            return this.#provIndex;
        const index = new Map();
        const children = this.children;
        for (let i = 0; i < children.length; i++) {
            const child = children[i];
            const provides = child instanceof MFlow ? child.provides : child.atom.provides;
            for (const s of provides) {
                const cur = index.get(s);
                if (cur === undefined)
                    index.set(s, i);
                else if (typeof cur === 'number')
                    index.set(s, [cur, i]);
                else
                    cur.push(i);
            }
        }
        return (this.#provIndex = index);
    }
    /** Ascending positions of the items providing `symbol`. */
    positions(symbol) {
        const cur = this.provIndex.get(symbol);
        return typeof cur === 'number' ? [cur] : cur;
    }
    /** Drops the compile-time indexes. */
    release() {
        this.#provIndex = undefined;
        this.finals = undefined;
        this.graph = undefined;
    }
}
/**
 * Computes the symbols of `root` and of every flow under it not computed yet,
 * bottom-up and without recursion, from the compiled items (what `computeSymbols`
 * computes from the flows, as they were when compiled). Nothing in compile needs
 * them but graph flows with nested flows (auto-links) and linear flows resolving
 * arguments through nested flows, so they are computed on first use.
 */
function ensureSymbols(root) {
    const order = [root];
    for (let h = 0; h < order.length; h++) {
        for (const c of order[h].children)
            if (c instanceof MFlow && c.syms === undefined)
                order.push(c);
    }
    for (let k = order.length - 1; k >= 0; k--) {
        const f = order[k];
        const children = f.children;
        const items = new Array(children.length);
        const retry = f.retry?.atom;
        const provides = new Set(retry?.provides ?? []);
        for (let i = 0; i < children.length; i++) {
            const c = children[i];
            const sym = c instanceof MFlow ? c.syms : c.atom;
            items[i] = sym;
            for (const s of sym.provides)
                provides.add(s);
        }
        f.syms = { requires: requiresOfItems(f.pattern, retry, items), provides };
    }
    return root.syms;
}
/** The node a flow item is entered through: the atom itself, or the flow's entry. */
export const entryOf = (item) => (item instanceof MFlow ? item.entry : item);
/** The node a flow item is left through: the atom itself, or the flow's exit. */
export const exitOf = (item) => (item instanceof MFlow ? item.exit : item);
export const providesOf = (item) => (item instanceof MFlow ? item.provides : item.atom.provides);
//# sourceMappingURL=nodes.js.map