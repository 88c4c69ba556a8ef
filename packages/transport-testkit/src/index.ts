export { transportConformance } from './suite';
export type { ConformanceOptions } from './suite';
export { Recorder, sleep, uniqueName, waitFor } from './helpers';
export type { RecorderMode, WaitForOptions } from './helpers';
