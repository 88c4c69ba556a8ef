import { isTransport } from './base';
import { transportNotGiven } from './hints';
import { parseRetryOptions } from './options';
import { InvalidArgumentError } from './tf-error';
import type { Transport, TransportRetryOptionsInput } from './types';
import { plainObject } from './validate';

/** Which transport the engine or a worker uses, and how to create it. */
export interface TransportSelection {
  /**
   * A name (`amqp`, `filesystem`, `memory`, `redis`, a third party's), or a transport object,
   * used as is (then `url`, `transportOptions` and `retryOptions` must be absent). Absent: the
   * kind comes from `url`'s scheme. With neither, there is no default (`TF_TRANSPORT_NOT_GIVEN`).
   */
  transport?: string | Transport;
  /** The broker URL; its scheme selects the transport when `transport` is absent. */
  url?: string;
  /** Given to the transport when it is created (its keys may be snake_case). */
  transportOptions?: Record<string, unknown>;
  /** Reconnect policy; kombu's keys and seconds are accepted. */
  retryOptions?: TransportRetryOptionsInput;
}

/** A selection as written: camelCase, or the seed's `transport_options` and `retry_options`. */
export interface TransportSelectionInput extends TransportSelection {
  transport_options?: Record<string, unknown>;
  retry_options?: TransportRetryOptionsInput;
}

/** A selection checked once, at the boundary. */
export interface NormalisedTransportSelection {
  /**
   * camelCase keys only, absent ones left out; `retryOptions`, when given, parsed over
   * TaskFlow's defaults. For a transport object: `{ transport }` alone.
   */
  readonly selection: TransportSelection;
  /**
   * True when the transport is created from a name or URL: whoever creates it closes it.
   * False for a transport object passed in: its owner closes it, the user leaves it open.
   */
  readonly owned: boolean;
}

export interface TransportSelectionContext {
  /** Who reads the selection, for messages: `'Worker'` gives "Worker option 'url' must be a string...". */
  owner: string;
  /** Builds the error a bad value throws; the default is `InvalidArgumentError`. */
  fail?: (message: string, option: keyof TransportSelection) => Error;
  /**
   * Whether a selection with neither `transport` nor `url` is refused with a
   * `TransportNotGivenError` (`TF_TRANSPORT_NOT_GIVEN`, not built by `fail`). Default
   * `true`: the engine, the worker and `tf-worker` have no default transport, since the
   * in-process `memory` one would reach nothing in another process. `false` returns an
   * empty selection, for a caller that supplies its own default.
   */
  required?: boolean;
  /**
   * The selection came from a command line and a config file: the "no transport" message
   * names `--transport`, `--url` and the config file's keys instead of options. Default:
   * `owner === 'tf-worker'`.
   */
  commandLine?: boolean;
}

const invalidArgument = (message: string): Error => new InvalidArgumentError(message);

/** The one value of `camel` and its seed spelling `snake`; two different values are an error. */
function oneOf(
  input: Readonly<Record<string, unknown>>,
  camel: 'transportOptions' | 'retryOptions',
  snake: string,
  context: Required<TransportSelectionContext>,
): unknown {
  const value = input[camel];
  const seed = input[snake];
  if (value !== undefined && seed !== undefined && value !== seed) {
    throw context.fail(`${context.owner} options '${camel}' and '${snake}' both set ${camel} to different values.`, camel);
  }
  return value ?? seed;
}

function isName(value: unknown): value is string {
  return typeof value === 'string' && value !== '';
}

function isEmpty(value: Record<string, unknown> | undefined): boolean {
  return value === undefined || Object.keys(value).length === 0;
}

/**
 * Reads `transport`, `url`, `transportOptions` (or `transport_options`) and `retryOptions`
 * (or `retry_options`) from `input`, ignoring its other keys, and checks them once: the
 * transport is a non-empty name or a transport object (by brand), the URL a string, the
 * transport options a plain object, and the retry options go through `parseRetryOptions`
 * (whose own errors, such as `TF_TRANSPORT_UNKNOWN_OPTION`, pass through unchanged).
 * Neither `transport` nor `url` is a `TransportNotGivenError` (`TF_TRANSPORT_NOT_GIVEN`),
 * raised after the other checks, unless `required: false`.
 * The transport's own options are checked later, by its factory.
 */
export function normaliseTransportSelection(
  input: Readonly<TransportSelectionInput> | Readonly<Record<string, unknown>>,
  options: TransportSelectionContext,
): NormalisedTransportSelection {
  const context: Required<TransportSelectionContext> = {
    owner: options.owner,
    fail: options.fail ?? invalidArgument,
    required: options.required ?? true,
    commandLine: options.commandLine ?? options.owner === 'tf-worker',
  };
  const { owner, fail } = context;
  const given = input as Readonly<Record<string, unknown>>;
  const label = (option: keyof TransportSelection) => `${owner} option '${option}'`;

  const transport = given['transport'];
  if (transport !== undefined && !isTransport(transport) && !isName(transport)) {
    throw fail(`${label('transport')} must be a transport name (e.g. 'amqp') or a transport object.`, 'transport');
  }
  const url = given['url'];
  if (url !== undefined && typeof url !== 'string') {
    throw fail(`${label('url')} must be a string, got ${typeof url}.`, 'url');
  }
  const rawTransportOptions = oneOf(given, 'transportOptions', 'transport_options', context);
  const transportOptions =
    rawTransportOptions === undefined
      ? undefined
      : plainObject(label('transportOptions'), rawTransportOptions, (m) => fail(m, 'transportOptions'));
  const rawRetryOptions = oneOf(given, 'retryOptions', 'retry_options', context);
  const retryOptions =
    rawRetryOptions === undefined ? undefined : plainObject(label('retryOptions'), rawRetryOptions, (m) => fail(m, 'retryOptions'));

  if (isTransport(transport)) {
    const cannotApply = [
      url !== undefined ? 'url' : undefined,
      isEmpty(transportOptions) ? undefined : 'transportOptions',
      isEmpty(retryOptions) ? undefined : 'retryOptions',
    ].filter((option): option is keyof TransportSelection => option !== undefined);
    const [first] = cannotApply;
    if (first !== undefined) {
      throw fail(
        `${owner}: a transport object is used as is; ${cannotApply.join(' and ')} cannot apply to it. Configure the object itself.`,
        first,
      );
    }
    return { selection: { transport }, owned: false };
  }

  const name = isName(transport) ? transport : undefined;
  const parsedRetryOptions = retryOptions === undefined ? undefined : parseRetryOptions(retryOptions, name ?? 'transport');
  if (name === undefined && url === undefined && context.required) throw transportNotGiven(owner, context.commandLine);
  const selection: TransportSelection = {};
  if (name !== undefined) selection.transport = name;
  if (url !== undefined) selection.url = url;
  if (transportOptions !== undefined) selection.transportOptions = transportOptions;
  if (parsedRetryOptions !== undefined) selection.retryOptions = parsedRetryOptions;
  return { selection, owned: true };
}
