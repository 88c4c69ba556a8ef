import { InvalidArgumentError, redactUri } from '@tf/transport';

/** kombu's default broker URL: guest on localhost, vhost `/`. */
export const DEFAULT_AMQP_URL = 'amqp://guest:guest@localhost:5672//';

/** One broker address out of an `amqp://` or `amqps://` URL. */
export interface AmqpEndpoint {
  readonly protocol: 'amqp' | 'amqps';
  readonly hostname: string;
  readonly port: number | undefined;
  readonly username: string;
  readonly password: string;
  /** The virtual host: `/` for `//`, `/` or no path (as kombu reads it), else the decoded path. */
  readonly vhost: string;
  /** `?heartbeat=` of the URL, in seconds (AMQP's unit). */
  readonly heartbeatSeconds: number | undefined;
  /** `?frame_max=` (or `frameMax`) of the URL. */
  readonly frameMax: number | undefined;
  /** The URL with its password replaced by `***`. */
  readonly display: string;
}

function decode(part: string, what: string, url: string): string {
  try {
    return decodeURIComponent(part);
  } catch (cause) {
    throw new InvalidArgumentError(`Invalid ${what} in AMQP URL ${redactUri(url)}.`, { cause });
  }
}

function intParam(params: URLSearchParams, names: string[], url: string): number | undefined {
  for (const name of names) {
    const raw = params.get(name);
    if (raw === null) continue;
    if (!/^\d+$/.test(raw)) throw new InvalidArgumentError(`AMQP URL ${redactUri(url)}: ${name} must be a whole number, got '${raw}'.`);
    return Number(raw);
  }
  return undefined;
}

/**
 * Read one `amqp://user:password@host:port/vhost?heartbeat=N` URL. As kombu: no user and
 * password means guest/guest, no host means localhost, and the vhost is the path after the
 * first `/`, URL-decoded, `/` when empty (so `amqp://host//` and `amqp://host/` are vhost `/`,
 * `amqp://host/%2F` too, `amqp://host/prod` is `prod`).
 */
export function parseAmqpUrl(url: string): AmqpEndpoint {
  const scheme = /^([a-z][a-z0-9+.-]*):\/\//i.exec(url)?.[1]?.toLowerCase();
  if (scheme !== 'amqp' && scheme !== 'amqps') {
    throw new InvalidArgumentError(`The AMQP transport needs an amqp:// or amqps:// URL, got ${JSON.stringify(redactUri(url))}.`);
  }
  let parsed: URL;
  try {
    // The WHATWG parser treats unknown schemes as opaque paths for some inputs: parse as http(s).
    parsed = new URL(url.replace(/^amqps?:/i, scheme === 'amqps' ? 'https:' : 'http:'));
  } catch (cause) {
    throw new InvalidArgumentError(`Invalid AMQP URL ${JSON.stringify(redactUri(url))}.`, { cause });
  }
  const hasCredentials = parsed.username !== '' || parsed.password !== '';
  const path = parsed.pathname;
  const vhostPart = path.length > 1 ? path.slice(1) : '';
  const vhost = vhostPart === '' ? '/' : decode(vhostPart, 'vhost', url);
  const portText = /^[a-z]+:\/\/(?:[^@/]*@)?(?:\[[^\]]*\]|[^:/?#]*):(\d+)/i.exec(url)?.[1];
  return {
    protocol: scheme,
    hostname: parsed.hostname.replace(/^\[|\]$/g, '') || 'localhost',
    port: portText !== undefined ? Number(portText) : undefined,
    username: hasCredentials ? decode(parsed.username, 'user name', url) : 'guest',
    password: hasCredentials ? decode(parsed.password, 'password', url) : 'guest',
    vhost,
    heartbeatSeconds: intParam(parsed.searchParams, ['heartbeat'], url),
    frameMax: intParam(parsed.searchParams, ['frame_max', 'frameMax'], url),
    display: redactUri(url),
  };
}

/** A URL or kombu's `;`-separated failover list of them (tried in turn). */
export function parseAmqpUrls(url: string): AmqpEndpoint[] {
  const parts = url
    .split(';')
    .map((u) => u.trim())
    .filter((u) => u.length > 0);
  if (parts.length === 0) throw new InvalidArgumentError('The AMQP transport needs a URL, got an empty one.');
  return parts.map(parseAmqpUrl);
}
