export { States, InvalidTransitionError, type AtomState, type FlowState, type Intention } from './states';
export * from './notifier';
export * from './backend';
export * from './storage';
export { LocalTaskExecutor, type ExecutionContext, type RevertExecutionContext, type TaskExecutor } from './executor';
export * from './events';
export type { MachineState, RuntimeStatistics } from './runtime';
export * from './engine';
export * from './listeners';
