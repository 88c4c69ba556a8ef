/** The event type of progress reports: a worker's EVENT responses and `engine.atomNotifier` (TaskFlow's). */
export const PROGRESS_EVENT = 'update_progress';
