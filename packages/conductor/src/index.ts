export { Conductor, type ConductorState, type ConductorStopOptions } from './conductor';
export {
  normaliseConductorOptions,
  defaultMaxFlows,
  defaultConductorName,
  CONDUCTOR_OPTION_NAMES,
  type ConductorOptions,
  type ConductorEngine,
  type NormalisedConductorOptions,
  type FlowFactory,
  type FlowFactories,
  type BoardInput,
} from './options';
export { ConductorEvent, type ConductorEventName, type ConductorEventDetails } from './events';
export { ConductorErrorCode, ConductorConfigError, FlowsLoadError, FlowFactoryError } from './errors';
export { loadFlowFactories } from './flows-module';
export { runJob, type RunJobOptions } from './run-job';
export type { JobRunEnd } from './job-run';
export { VERSION } from './version';
