import type { Task } from '../atoms/task';
import { type Flow } from '../patterns/flow';
import type { CompiledFlow } from './types';
/**
 * Compiles a flow (or a single task) into its execution graph, in time linear in
 * atoms + links. Throws `InvalidFlowError` (an item used twice, a flow inside
 * itself), `DuplicateNameError` (all duplicated atom names), `CycleError` (one
 * cycle of a graph flow, in order) and `AmbiguousProviderError` (every consumer
 * that could read a symbol from unordered providers). Missing requirements are
 * checked separately by `compiled.validate(availableSymbols)`.
 */
export declare function compile(input: Flow | Task): CompiledFlow;
