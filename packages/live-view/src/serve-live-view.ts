import type { CompiledFlow, Flow, StorageBackend } from '@tf/core';
import { EngineSource, type ObservedEngine } from './engine-source';
import { type LiveView, type LiveViewServerOptions, serveSource } from './server';
import { storedSource } from './stored-source';

/**
 * Serves a live page of `engine`'s flow: its graph, each atom coloured by state, progress,
 * worker, duration and failure, updated by server-sent events. Opt-in, on 127.0.0.1 and a
 * free port unless told otherwise; read the address from `url`. Call it before `run()`
 * (the page then sees every transition); `close()` when done (the engine does not).
 */
export function serveLiveView(engine: ObservedEngine, options: LiveViewServerOptions = {}): Promise<LiveView> {
  const source = new EngineSource(engine);
  return serveSource(source, options).catch((error: unknown) => {
    source.dispose();
    throw error;
  });
}

/**
 * Serves the page of a flow detail kept in a persistence backend (`resolveBackend(url)` of
 * `@tf/persistence`, or any `StorageBackend`): each atom's last state, progress and failure.
 * Pass the flow (or its compiled form) to draw its graph; without it the stored atoms are
 * drawn side by side. Rejects with `NotFoundError` (`TF_NOT_FOUND`) for an unknown id.
 */
export async function serveStoredFlow(
  backend: StorageBackend,
  flowUuid: string,
  options: LiveViewServerOptions & { flow?: Flow | CompiledFlow } = {},
): Promise<LiveView> {
  const { flow, ...serverOptions } = options;
  return serveSource(await storedSource(backend, flowUuid, flow), serverOptions);
}
