/** Runs tasks in this process, routing `updateProgress` to the engine. */
export class LocalTaskExecutor {
    execute(task, args, context) {
        return withProgress(task, context.onProgress, () => task.execute(args));
    }
    revert(task, args, context) {
        return withProgress(task, context.onProgress, () => task.revert(args, { result: context.result, flowFailures: context.flowFailures }));
    }
}
function withProgress(task, sink, run) {
    const previous = task.setProgressSink(sink);
    let outcome;
    try {
        outcome = run();
    }
    catch (error) {
        task.setProgressSink(previous);
        throw error;
    }
    if (isPromiseLike(outcome)) {
        return Promise.resolve(outcome).finally(() => task.setProgressSink(previous));
    }
    task.setProgressSink(previous);
    return outcome;
}
export function isPromiseLike(value) {
    return (value !== null &&
        (typeof value === 'object' || typeof value === 'function') &&
        typeof value.then === 'function');
}
//# sourceMappingURL=executor.js.map