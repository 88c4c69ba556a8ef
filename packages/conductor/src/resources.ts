import { isTransport, type Logger, resolveTransport, type StorageBackend, type Transport } from '@tf/core';
import { isJobboard, type Jobboard, redactUrl as redactBoardUrl, resolveJobboard } from '@tf/jobboard';
import { isStorageBackend, redactUrl, resolveBackend } from '@tf/persistence';
import type { NormalisedConductorOptions } from './options';

/**
 * What a conductor holds for all its jobs: the board, the backend (one for every engine: a
 * PostgreSQL pool is not opened per job), and for worker-based engines one transport
 * connection (each engine consumes its own reply topic on it). What it opened from a URL it
 * closes; objects it was given are their owners' to close.
 */
export class ConductorResources {
  readonly #options: NormalisedConductorOptions;
  readonly #logger: Logger;
  board: Jobboard | undefined;
  #ownsBoard = false;
  #backend: StorageBackend | undefined;
  #ownsBackend = false;
  #transport: Transport | undefined;
  #ownsTransport = false;

  constructor(options: NormalisedConductorOptions, logger: Logger) {
    this.#options = options;
    this.#logger = logger;
  }

  transportOrUndefined(): Transport | undefined {
    return this.#transport;
  }

  /** Opens the board, the backend and the transport (in that order); on failure the caller closes. */
  async open(): Promise<void> {
    const { board, backend, loadOptions } = this.#options;
    this.#ownsBoard = !isJobboard(board);
    this.board = await resolveJobboard(board, { logger: this.#logger });
    this.#ownsBackend = !isStorageBackend(backend);
    this.#backend = await resolveBackend(backend, { logger: this.#logger });
    if (this.#options.engine === 'worker-based') {
      const transport = loadOptions['transport'];
      if (isTransport(transport)) {
        this.#transport = transport;
      } else {
        this.#ownsTransport = true;
        this.#transport = await resolveTransport({
          transport: transport as string | undefined,
          url: loadOptions['url'],
          transportOptions: loadOptions['transportOptions'],
          retryOptions: loadOptions['retryOptions'],
          logger: this.#logger,
        } as Parameters<typeof resolveTransport>[0]);
      }
      if (this.#transport.state !== 'connected') await this.#transport.connect();
    }
  }

  /** The `load()` options of a job: the engine's, with the shared backend and transport objects. */
  loadOptions(): Record<string, unknown> {
    const { transportOptions: _o, retryOptions: _r, url: _u, transport: _t, ...rest } = this.#options.loadOptions;
    return { ...rest, backend: this.#backend, ...(this.#transport ? { transport: this.#transport } : {}) };
  }

  /** For the banner: the board, backend and engine, passwords redacted. */
  describe(): { board: string; backend: string; engine: string[] } {
    const { board, backend, loadOptions } = this.#options;
    const boardText = isJobboard(board) ? '(object)' : redactBoardUrl(typeof board === 'string' ? board : board.connection);
    const backendText =
      typeof backend === 'string' ? redactUrl(backend) : isStorageBackend(backend) ? '(object)' : redactUrl(String(backend.connection));
    const engine: string[] = [];
    if (this.#options.engine === 'worker-based') {
      const details = this.#transport?.details();
      const name = details?.name ?? (typeof loadOptions['transport'] === 'string' ? loadOptions['transport'] : '(from url)');
      engine.push(`Transport = ${name}`);
      if (details) engine.push(`Driver = ${details.driver} v${details.version}`);
      const uri = details?.uri ?? (typeof loadOptions['url'] === 'string' ? redactUrl(loadOptions['url']) : undefined);
      if (uri !== undefined) engine.push(`Uri = ${uri}`);
      engine.push(`Exchange = ${String(loadOptions['exchange'])}`);
      engine.push(`Topics = ${(loadOptions['topics'] as string[]).join(', ')}`);
    }
    return { board: `${this.board?.name ?? '?'} at ${boardText}`, backend: backendText, engine };
  }

  /** Closes what it opened: the transport, the backend, then the board. */
  async close(): Promise<void> {
    const errors: unknown[] = [];
    const attempt = async (what: () => Promise<unknown> | undefined): Promise<void> => {
      try {
        await what();
      } catch (error) {
        errors.push(error);
      }
    };
    if (this.#ownsTransport) await attempt(() => this.#transport?.close());
    if (this.#ownsBackend) await attempt(() => this.#backend?.close?.());
    if (this.#ownsBoard) await attempt(() => this.board?.close());
    this.#transport = undefined;
    this.#backend = undefined;
    if (errors.length > 0) throw errors[0];
  }
}
