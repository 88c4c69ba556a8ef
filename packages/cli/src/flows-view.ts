import { serveStoredFlow } from '@tf/live-view';
import type { PersistenceBackend } from '@tf/persistence';
import { loadFlowModule } from './flow-module';

export interface FlowsViewOptions {
  host?: string;
  port?: string;
  /** A module exporting the flow, to draw its graph (else the stored atoms side by side). */
  module?: string;
  export?: string;
}

/** Resolves on the first SIGINT or SIGTERM. */
function untilSignalled(): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      process.off('SIGINT', done);
      process.off('SIGTERM', done);
      resolve();
    };
    process.on('SIGINT', done);
    process.on('SIGTERM', done);
  });
}

/** `tf flows view <id>`: serves the live view's page of a stored flow detail until SIGINT or SIGTERM. */
export async function flowsView(
  backend: PersistenceBackend,
  flowUuid: string,
  options: FlowsViewOptions,
  print: (line: string) => void,
): Promise<void> {
  const flow = options.module === undefined ? undefined : await loadFlowModule(options.module, options.export);
  const port = options.port === undefined ? 0 : Number(options.port);
  if (!Number.isInteger(port) || port < 0 || port > 65_535)
    throw new Error(`--port must be a port number (0 for a free one), not ${JSON.stringify(options.port)}`);
  const view = await serveStoredFlow(backend, flowUuid, {
    ...(flow ? { flow } : {}),
    ...(options.host ? { host: options.host } : {}),
    port,
  });
  print(`live view of flow detail ${flowUuid}: ${view.url}`);
  await untilSignalled();
  await view.close();
}
