import { type Finals, type MAtom } from './nodes';
/**
 * The atoms whose result a consumer reads `symbol` from: walk up the hierarchy
 * from the consumer; at each level the items ordered before it (linear: earlier
 * items; graph: item ancestors; unordered: none), the nearest providing one wins,
 * then the level's retry. More than one atom means ambiguity.
 */
export declare function resolveProviders(consumer: MAtom, symbol: string): Finals;
