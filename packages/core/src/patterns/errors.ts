import { TfError } from '../errors';

/**
 * A flow built in a way that cannot run: an item added twice, a link between
 * items the flow does not hold, an item that is not a task or a flow, a flow
 * nested in itself... `flow` names the flow, `item` the offending item (if any).
 */
export class InvalidFlowError extends TfError {
  readonly flow: string;
  readonly item: string | undefined;

  constructor(flow: string, message: string, item?: string) {
    super('TF_INVALID_FLOW', `Flow '${flow}': ${message}`);
    this.flow = flow;
    this.item = item;
  }
}

/** The links of a graph flow form a cycle; `cycle` lists the items in order (the first is repeated last). */
export class CycleError extends TfError {
  readonly cycle: string[];
  readonly flow: string;

  constructor(flow: string, cycle: string[]) {
    super('TF_CYCLE', `Graph flow '${flow}' has a dependency cycle: ${cycle.join(' -> ')}`);
    this.flow = flow;
    this.cycle = cycle;
  }
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
export class AmbiguousProviderError extends TfError {
  readonly ambiguities: Ambiguity[];
  readonly symbol: string;
  readonly providers: string[];
  readonly consumer: string;

  constructor(ambiguities: Ambiguity[]) {
    const list = ambiguities
      .map((a) => `'${a.consumer}' requires '${a.symbol}', provided by ${a.providers.map((p) => `'${p}'`).join(' and ')}`)
      .join('; ');
    super('TF_AMBIGUOUS_PROVIDER', `Ambiguous providers: ${list}`);
    const first = ambiguities[0]!;
    this.ambiguities = ambiguities;
    this.symbol = first.symbol;
    this.providers = first.providers;
    this.consumer = first.consumer;
  }
}
