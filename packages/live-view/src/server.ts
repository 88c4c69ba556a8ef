import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { type Logger, silentLogger } from '@tf/core';
import { LiveViewError, LiveViewErrorCode } from './errors';
import { PAGE_HTML } from './page-html';
import { pageScript } from './page-asset';
import type { ViewSource } from './source';
import { SVG_STYLE } from './svg';

export interface LiveViewServerOptions {
  /** Default 127.0.0.1: only this machine. Another address exposes the flow's names, workers and errors to that network. */
  host?: string;
  /** Default 0: a free port (read it from `url`). */
  port?: number;
  /** The most often a page is sent changes (ms). Default 250; 1,000 for flows of more than 1,000 atoms. */
  updateIntervalMs?: number;
  /** The most pages open at once; more get 503. Default 32. */
  maxClients?: number;
  logger?: Logger;
}

/** A live view being served. */
export interface LiveView {
  /** The page's address, e.g. `http://127.0.0.1:41234/`. */
  readonly url: string;
  readonly port: number;
  /** Pages connected now. */
  readonly clients: number;
  /** Ends the pages' streams, stops listening, stops following the flow. Idempotent. */
  close(): Promise<void>;
}

const SECURITY_HEADERS = {
  'content-security-policy': "default-src 'none'; script-src 'self'; style-src 'self' 'unsafe-inline'; connect-src 'self'; img-src 'self'",
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  'cache-control': 'no-store',
};
const KEEPALIVE_MS = 15_000;
const LARGE_FLOW_ATOMS = 1_000;
const LOOPBACK = new Set(['127.0.0.1', '::1', 'localhost']);

/** A loopback server answers only requests addressed to a loopback name: a DNS-rebinding page cannot read it. */
function hostAllowed(request: IncomingMessage, loopbackOnly: boolean): boolean {
  if (!loopbackOnly) return true;
  const host = request.headers.host ?? '';
  const name = host.startsWith('[') ? host.slice(1, host.indexOf(']')) : host.split(':')[0]!;
  return LOOPBACK.has(name.toLowerCase());
}

function urlHost(host: string): string {
  return host.includes(':') ? `[${host}]` : host;
}

/** Serves `source` as a live page: `/` the page, `/graph.json`, `/events` (server-sent events). */
export async function serveSource(source: ViewSource, options: LiveViewServerOptions = {}): Promise<LiveView> {
  const host = options.host ?? '127.0.0.1';
  const atoms = source.graph.nodes.reduce((n, node) => (node.kind === 'join' ? n : n + 1), 0);
  // A large flow changes many atoms per batch: fewer, larger batches cost the engine and the page less.
  const intervalMs = Math.max(20, options.updateIntervalMs ?? (atoms > LARGE_FLOW_ATOMS ? 1_000 : 250));
  const maxClients = options.maxClients ?? 32;
  const logger = options.logger ?? silentLogger;
  const loopbackOnly = LOOPBACK.has(host);
  const clients = new Set<ServerResponse>();
  let graphJson: string | undefined;
  let flushTimer: NodeJS.Timeout | undefined;
  let closed = false;

  const send = (event: string, data: string) => {
    const frame = `event: ${event}\ndata: ${data}\n\n`;
    for (const client of clients) client.write(frame);
  };
  const flush = () => {
    flushTimer = undefined;
    const changes = source.takeChanges();
    if (changes && clients.size > 0) send('update', JSON.stringify(changes));
  };
  source.onChange(() => {
    if (flushTimer === undefined && !closed) flushTimer = setTimeout(flush, intervalMs);
  });
  const keepalive = setInterval(() => {
    for (const client of clients) client.write(': keepalive\n\n');
  }, KEEPALIVE_MS);
  keepalive.unref();

  const events = (response: ServerResponse) => {
    if (clients.size >= maxClients) {
      response.writeHead(503, { 'content-type': 'text/plain', 'retry-after': '5' }).end('too many live views open\n');
      return;
    }
    response.writeHead(200, { ...SECURITY_HEADERS, 'content-type': 'text/event-stream', connection: 'keep-alive' });
    response.write(`retry: 2000\nevent: snapshot\ndata: ${JSON.stringify(source.snapshot())}\n\n`);
    clients.add(response);
    response.on('close', () => clients.delete(response));
  };

  const handle = async (request: IncomingMessage, response: ServerResponse) => {
    if (!hostAllowed(request, loopbackOnly)) {
      response.writeHead(421, { 'content-type': 'text/plain' }).end('misdirected request\n');
      return;
    }
    if (request.method !== 'GET' && request.method !== 'HEAD') {
      response.writeHead(405, { allow: 'GET, HEAD' }).end();
      return;
    }
    const path = (request.url ?? '/').split('?')[0];
    switch (path) {
      case '/':
        response.writeHead(200, { ...SECURITY_HEADERS, 'content-type': 'text/html; charset=utf-8' }).end(PAGE_HTML);
        return;
      case '/app.js':
        response.writeHead(200, { ...SECURITY_HEADERS, 'content-type': 'text/javascript; charset=utf-8' }).end(await pageScript());
        return;
      case '/style.css':
        response.writeHead(200, { ...SECURITY_HEADERS, 'content-type': 'text/css; charset=utf-8' }).end(SVG_STYLE);
        return;
      case '/graph.json':
        graphJson ??= JSON.stringify(source.graph);
        response.writeHead(200, { ...SECURITY_HEADERS, 'content-type': 'application/json' }).end(graphJson);
        return;
      case '/events':
        events(response);
        return;
      default:
        response.writeHead(404, { 'content-type': 'text/plain' }).end('not found\n');
    }
  };

  const server = createServer((request, response) => {
    handle(request, response).catch((error: unknown) => {
      logger.warn({ err: error, url: request.url }, 'live view request failed');
      if (!response.headersSent) response.writeHead(500, { 'content-type': 'text/plain' });
      response.end(`${error instanceof Error ? error.message : 'error'}\n`);
    });
  });
  await new Promise<void>((resolve, reject) => {
    const onError = (error: Error) =>
      reject(
        new LiveViewError(LiveViewErrorCode.ListenFailed, `The live view cannot listen on ${host}:${options.port ?? 0}: ${error.message}`, {
          cause: error,
        }),
      );
    server.once('error', onError);
    server.listen(options.port ?? 0, host, () => {
      server.off('error', onError);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;
  const url = `http://${urlHost(host)}:${port}/`;
  logger.info({ url }, 'live view listening');

  let closing: Promise<void> | undefined;
  return {
    url,
    port,
    get clients() {
      return clients.size;
    },
    close() {
      closing ??= (async () => {
        closed = true;
        if (flushTimer !== undefined) clearTimeout(flushTimer);
        flush();
        clearInterval(keepalive);
        source.dispose();
        for (const client of clients) client.end();
        clients.clear();
        const stopped = new Promise<void>((resolve) => server.close(() => resolve()));
        server.closeAllConnections();
        await stopped;
      })();
      return closing;
    },
  };
}
