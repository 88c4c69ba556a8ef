import { TfError } from '../errors';

/** One missing symbol and the atoms that need it. */
export interface MissingRequirement {
  symbol: string;
  requiredBy: string[];
}

/** Requirements nothing provides: every missing symbol, with the atoms that need it. */
export class MissingRequirementsError extends TfError {
  readonly missing: MissingRequirement[];

  constructor(missing: MissingRequirement[]) {
    const list = missing.map((m) => `'${m.symbol}' (required by ${m.requiredBy.map((n) => `'${n}'`).join(', ')})`).join('; ');
    super('TF_MISSING_REQUIREMENTS', `Unsatisfied requirements: ${list}`);
    this.missing = missing;
  }

  /** The missing symbols. */
  get symbols(): string[] {
    return this.missing.map((m) => m.symbol);
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

/** Two or more atoms share a name; `duplicates` lists every such name. */
export class DuplicateNameError extends TfError {
  readonly duplicates: string[];

  constructor(duplicates: string[]) {
    super('TF_DUPLICATE_NAME', `Atom names must be unique in a flow; duplicated: ${duplicates.map((d) => `'${d}'`).join(', ')}`);
    this.duplicates = duplicates;
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
