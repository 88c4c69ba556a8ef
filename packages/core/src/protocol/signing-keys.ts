import { createSecretKey, type KeyObject } from 'node:crypto';
import { TfError } from '@tf/transport';

/** The code of a `SigningConfigError`. */
export const SIGNING_CONFIG_ERROR = 'TF_SIGNING_CONFIG';

/** A signing option that cannot be used: a key too short, an unknown `current`, a bad key id or window. */
export class SigningConfigError extends TfError {
  /** The option at fault (`signingKey`, `--signing-key-file`, `TF_SIGNING_KEY`). */
  readonly option: string;
  constructor(option: string, message: string, options?: { cause?: unknown }) {
    super(SIGNING_CONFIG_ERROR, `${option}: ${message}`, options);
    this.option = option;
  }
}

/**
 * A shared secret: a string used as its UTF-8 bytes, `'base64:...'` for binary bytes, or the
 * bytes themselves. At least `MIN_SIGNING_KEY_BYTES` bytes.
 */
export type SigningSecret = string | Uint8Array;

/** Several keys, to rotate them: every key verifies, `current` signs. */
export interface SigningKeyring {
  /** By key id (1 to 64 of `A-Z a-z 0-9 _ . : -`). */
  keys: Readonly<Record<string, SigningSecret>>;
  /** The id of the key that signs. */
  current: string;
  /** A message signed longer ago than this is dropped (default 300 000: 5 minutes). */
  maxAgeMs?: number;
  /** A message signed further in the future than this (clock skew) is dropped (default 60 000). */
  maxFutureMs?: number;
}

/** What `signingKey` takes: one secret (its key id is `default`), a keyring, or keys already checked. */
export type SigningOptions = SigningSecret | SigningKeyring | SigningKeys;

/** HMAC-SHA256 keys shorter than its output add no strength and are likely typos or placeholders. */
export const MIN_SIGNING_KEY_BYTES = 32;
/** The key id of a single secret given without a keyring. */
export const DEFAULT_KEY_ID = 'default';
export const DEFAULT_SIGNING_MAX_AGE_MS = 300_000;
export const DEFAULT_SIGNING_MAX_FUTURE_MS = 60_000;

const KEY_ID = /^[\w.:-]{1,64}$/;
const BASE64 = /^[A-Za-z0-9+/_-]+={0,2}$/;

/** Signing keys, checked: the one that signs and every one that verifies. The secrets are never enumerable. */
export class SigningKeys {
  readonly currentId: string;
  readonly maxAgeMs: number;
  readonly maxFutureMs: number;
  readonly #keys: ReadonlyMap<string, Buffer>;
  /** The same secrets as KeyObjects: an HMAC keyed by one is set up in half the time of one keyed by bytes. */
  readonly #macKeys: ReadonlyMap<string, KeyObject>;

  constructor(keys: ReadonlyMap<string, Buffer>, currentId: string, maxAgeMs: number, maxFutureMs: number) {
    this.#keys = keys;
    this.#macKeys = new Map([...keys].map(([id, secret]) => [id, createSecretKey(secret)]));
    this.currentId = currentId;
    this.maxAgeMs = maxAgeMs;
    this.maxFutureMs = maxFutureMs;
  }

  /** The ids that verify. */
  get ids(): string[] {
    return [...this.#keys.keys()];
  }

  /** The secret of `id`, when it is one of these keys. */
  secret(id: string): Buffer | undefined {
    return this.#keys.get(id);
  }

  /** The HMAC key of `id`, when it is one of these keys. */
  macKey(id: string): KeyObject | undefined {
    return this.#macKeys.get(id);
  }

  /** The secret that signs. */
  get current(): Buffer {
    return this.#keys.get(this.currentId)!;
  }

  /** Never the secrets, in logs or JSON. */
  toJSON(): { currentId: string; ids: string[] } {
    return { currentId: this.currentId, ids: this.ids };
  }
}

function secretBytes(option: string, id: string, secret: unknown): Buffer {
  let bytes: Buffer;
  if (typeof secret === 'string') {
    if (secret.startsWith('base64:')) {
      const encoded = secret.slice('base64:'.length).trim();
      if (!BASE64.test(encoded)) throw new SigningConfigError(option, `key '${id}' is not valid base64 after 'base64:'.`);
      bytes = Buffer.from(encoded, 'base64');
    } else {
      bytes = Buffer.from(secret, 'utf8');
    }
  } else if (secret instanceof Uint8Array) {
    bytes = Buffer.from(secret); // a copy: the caller may reuse its buffer
  } else {
    throw new SigningConfigError(
      option,
      `key '${id}' must be a string or bytes (a Buffer), got ${secret === null ? 'null' : typeof secret}.`,
    );
  }
  if (bytes.length < MIN_SIGNING_KEY_BYTES) {
    throw new SigningConfigError(
      option,
      `key '${id}' is ${bytes.length} bytes; at least ${MIN_SIGNING_KEY_BYTES} are needed (e.g. 'base64:' + 32 random bytes in base64: openssl rand -base64 32).`,
    );
  }
  return bytes;
}

function windowMs(option: string, name: string, value: unknown, fallback: number): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) {
    throw new SigningConfigError(option, `${name} must be a number of milliseconds >= 0, got ${JSON.stringify(value)}.`);
  }
  return value;
}

/**
 * Checks a `signingKey` option: one secret, a keyring, or keys already checked (returned as
 * they are). Anything wrong is a `SigningConfigError` (`TF_SIGNING_CONFIG`) naming `option`.
 */
export function signingKeys(input: SigningOptions, option = 'signingKey'): SigningKeys {
  if (input instanceof SigningKeys) return input;
  if (typeof input === 'string' || input instanceof Uint8Array) {
    const keys = new Map([[DEFAULT_KEY_ID, secretBytes(option, DEFAULT_KEY_ID, input)]]);
    return new SigningKeys(keys, DEFAULT_KEY_ID, DEFAULT_SIGNING_MAX_AGE_MS, DEFAULT_SIGNING_MAX_FUTURE_MS);
  }
  if (input === null || typeof input !== 'object' || Array.isArray(input)) {
    throw new SigningConfigError(option, 'must be a secret (a string or a Buffer) or { keys: { id: secret }, current: id }.');
  }
  const ring = input as unknown as Record<string, unknown>;
  for (const key of Object.keys(ring)) {
    if (!['keys', 'current', 'maxAgeMs', 'maxFutureMs'].includes(key)) {
      throw new SigningConfigError(option, `unknown field '${key}' (allowed: keys, current, maxAgeMs, maxFutureMs).`);
    }
  }
  const given = ring['keys'];
  if (given === null || typeof given !== 'object' || Array.isArray(given) || Object.keys(given).length === 0) {
    throw new SigningConfigError(option, "'keys' must be an object of at least one key id -> secret.");
  }
  const keys = new Map<string, Buffer>();
  for (const [id, secret] of Object.entries(given)) {
    if (!KEY_ID.test(id)) throw new SigningConfigError(option, `key id '${id}' must be 1 to 64 of A-Z a-z 0-9 _ . : -.`);
    keys.set(id, secretBytes(option, id, secret));
  }
  const current = ring['current'];
  if (typeof current !== 'string' || !keys.has(current)) {
    throw new SigningConfigError(
      option,
      `'current' must name one of the keys (${[...keys.keys()].join(', ')}), got ${JSON.stringify(current)}.`,
    );
  }
  return new SigningKeys(
    keys,
    current,
    windowMs(option, 'maxAgeMs', ring['maxAgeMs'], DEFAULT_SIGNING_MAX_AGE_MS),
    windowMs(option, 'maxFutureMs', ring['maxFutureMs'], DEFAULT_SIGNING_MAX_FUTURE_MS),
  );
}

/**
 * The keys in a key file or `TF_SIGNING_KEY`: the text (trailing whitespace trimmed) is one
 * secret, or, when it starts with `{`, a JSON keyring.
 */
export function parseSigningKeyText(text: string, option: string): SigningKeys {
  const trimmed = text.trim();
  if (!trimmed.startsWith('{')) return signingKeys(trimmed, option);
  let parsed: unknown;
  try {
    parsed = JSON.parse(trimmed);
  } catch {
    // Not the parser's message: it may quote the secret.
    throw new SigningConfigError(option, 'starts with { but is not a valid JSON keyring.');
  }
  return signingKeys(parsed as SigningKeyring, option);
}
