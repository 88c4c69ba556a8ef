/** The event type of progress reports: a worker's EVENT responses and `engine.atomNotifier` (TaskFlow's). */
export declare const PROGRESS_EVENT = "update_progress";
