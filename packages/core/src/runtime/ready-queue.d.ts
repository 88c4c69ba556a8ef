import type { AtomNode } from '../compiler/types';
/**
 * A FIFO of atoms that may be ready, each queued at most once. Entries are checked again
 * when taken (readiness can be lost meanwhile), which keeps every operation O(1).
 */
export declare class ReadyQueue {
    #private;
    constructor(size: number);
    push(node: AtomNode): void;
    shift(): AtomNode | undefined;
    some(predicate: (node: AtomNode) => boolean): boolean;
}
