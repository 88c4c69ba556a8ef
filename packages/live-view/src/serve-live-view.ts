import { EngineSource, type ObservedEngine } from './engine-source';
import { type LiveView, type LiveViewServerOptions, serveSource } from './server';

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
