export { load, run, type Engine } from './load';
export { normaliseOptions, type LoadOptions, type NormalisedOptions, type EngineKind } from './options';
