import { describe, expect, it } from 'vitest';
import {
  DEFAULT_RETRY_OPTIONS,
  TRANSPORT_BRAND,
  TfError,
  normaliseTransportSelection,
  type Transport,
  type TransportSelection,
} from '@tf/transport';

/** Recognised as a transport object by its brand alone; never used here. */
const stubTransport = (): Transport => ({ [TRANSPORT_BRAND]: true, name: 'stub' }) as unknown as Transport;

const asWorker = { owner: 'Worker' };

function caught(fn: () => unknown): unknown {
  try {
    fn();
  } catch (error) {
    return error;
  }
  return undefined;
}

describe('normaliseTransportSelection', () => {
  it('keeps a name, a URL and transport options; parses retry options; the transport is owned', () => {
    const { selection, owned } = normaliseTransportSelection(
      { transport: 'amqp', url: 'amqp://localhost', transportOptions: { data_folder_in: '/q' }, retryOptions: { max_retries: 2 } },
      asWorker,
    );
    expect(owned).toBe(true);
    expect(selection).toEqual({
      transport: 'amqp',
      url: 'amqp://localhost',
      transportOptions: { data_folder_in: '/q' },
      retryOptions: { ...DEFAULT_RETRY_OPTIONS, maxRetries: 2 },
    });
  });

  it("accepts the seed's snake_case keys, and one value under both spellings", () => {
    const options = { data_folder_in: '/q' };
    const { selection } = normaliseTransportSelection(
      { transport_options: options, transportOptions: options, retry_options: { interval_start: 0.5 } },
      asWorker,
    );
    expect(selection.transportOptions).toBe(options);
    expect(selection.retryOptions).toMatchObject({ intervalStartMs: 500 });
    expect(() => normaliseTransportSelection({ transport_options: { a: 1 }, transportOptions: { a: 1 } }, asWorker)).toThrow(
      /'transportOptions' and 'transport_options'/,
    );
  });

  it('leaves out what is absent, ignores keys that are not about the transport, and parses its own output again unchanged', () => {
    expect(normaliseTransportSelection({}, asWorker)).toEqual({ selection: {}, owned: true });
    expect(normaliseTransportSelection({ exchange: 'e', topic: 't', url: undefined }, asWorker).selection).toEqual({});
    const once = normaliseTransportSelection({ url: 'redis://h', retry_options: { max_retries: null } }, asWorker).selection;
    expect(normaliseTransportSelection(once, asWorker).selection).toEqual(once);
  });

  it('takes a transport object as given (not owned), alone', () => {
    const transport = stubTransport();
    expect(normaliseTransportSelection({ transport, transportOptions: {}, retry_options: {} }, asWorker)).toEqual({
      selection: { transport },
      owned: false,
    });
    const error = caught(() => normaliseTransportSelection({ transport, url: 'amqp://h', retryOptions: { maxRetries: 1 } }, asWorker));
    expect((error as Error).message).toMatch(/transport object is used as is; url and retryOptions cannot apply/);
  });

  it.each<[string, Record<string, unknown>, RegExp]>([
    ['an empty transport name', { transport: '' }, /Worker option 'transport' must be a transport name/],
    ['a transport that is neither name nor object', { transport: { name: 'amqp' } }, /'transport' must be a transport name/],
    ['a URL that is not a string', { url: 5672 }, /Worker option 'url' must be a string, got number/],
    ['transport options that are not an object', { transport_options: 'x' }, /Worker option 'transportOptions' must be an object/],
    ['retry options that are a list', { retryOptions: [] }, /Worker option 'retryOptions' must be an object/],
  ])('refuses %s with InvalidArgumentError by default', (_what, input, message) => {
    const error = caught(() => normaliseTransportSelection(input, asWorker));
    expect(TfError.is(error, 'TF_INVALID_ARGUMENT')).toBe(true);
    expect((error as Error).message).toMatch(message);
  });

  it('builds the error with the factory given, naming the option', () => {
    const fail = (message: string, option: keyof TransportSelection) => new RangeError(`${option}: ${message}`);
    const error = caught(() => normaliseTransportSelection({ url: 1 }, { owner: 'Engine', fail }));
    expect(error).toBeInstanceOf(RangeError);
    expect((error as Error).message).toBe("url: Engine option 'url' must be a string, got number.");
  });

  it("lets parseRetryOptions' typed errors through", () => {
    const error = caught(() => normaliseTransportSelection({ transport: 'redis', retryOptions: { bogus: 1 } }, asWorker));
    expect(TfError.is(error, 'TF_TRANSPORT_UNKNOWN_OPTION')).toBe(true);
    expect((error as Error).message).toContain("Transport 'redis'");
  });
});
