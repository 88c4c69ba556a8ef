import { type MissingRequirement } from './errors';
import type { AtomNode, CompiledFlow, Edge, ExecNode, FlowNode, RetryNode } from './types';
/** What `compile` returns: the execution graph and its queries. */
export declare class Compiled implements CompiledFlow {
    readonly root: FlowNode;
    readonly atoms: readonly AtomNode[];
    readonly nodes: readonly ExecNode[];
    readonly edges: readonly Edge[];
    readonly flows: readonly FlowNode[];
    private readonly byName;
    /** Flat pairs: symbol, atom name, symbol, atom name, ... */
    private readonly external;
    readonly requires: ReadonlySet<string>;
    constructor(root: FlowNode, atoms: readonly AtomNode[], nodes: readonly ExecNode[], edges: readonly Edge[], flows: readonly FlowNode[], byName: Map<string, AtomNode>, 
    /** Flat pairs: symbol, atom name, symbol, atom name, ... */
    external: readonly string[]);
    get(name: string): AtomNode | undefined;
    has(name: string): boolean;
    private atomOf;
    scope(retry: string | RetryNode): readonly AtomNode[];
    atomPredecessors(atom: string | AtomNode): AtomNode[];
    atomSuccessors(atom: string | AtomNode): AtomNode[];
    private walk;
    missing(available?: Iterable<string>): MissingRequirement[];
    validate(available?: Iterable<string>): void;
}
