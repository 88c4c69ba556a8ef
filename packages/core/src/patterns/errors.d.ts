import { TfError } from '../errors';
/**
 * A flow built in a way that cannot run: an item added twice, a link between
 * items the flow does not hold, an item that is not a task or a flow, a flow
 * nested in itself... `flow` names the flow, `item` the offending item (if any).
 */
export declare class InvalidFlowError extends TfError {
    readonly flow: string;
    readonly item: string | undefined;
    constructor(flow: string, message: string, item?: string);
}
/** The links of a graph flow form a cycle; `cycle` lists the items in order (the first is repeated last). */
export declare class CycleError extends TfError {
    readonly cycle: string[];
    readonly flow: string;
    constructor(flow: string, cycle: string[]);
}
/** One ambiguity: `consumer` could read `symbol` from any of `providers`, with no order between them. */
export interface Ambiguity {
    symbol: string;
    providers: string[];
    consumer: string;
}
/**
 * A consumer could take a symbol from several providers with no order between
 * them. `symbol`, `providers` and `consumer` describe the first; `ambiguities` all.
 */
export declare class AmbiguousProviderError extends TfError {
    readonly ambiguities: Ambiguity[];
    readonly symbol: string;
    readonly providers: string[];
    readonly consumer: string;
    constructor(ambiguities: Ambiguity[]);
}
