import { describe, expect, it } from 'vitest';
import {
  DEFAULT_RETRY_OPTIONS,
  TRANSPORT_BRAND,
  TfError,
  TransportNotGivenError,
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
      { transport: 'filesystem', transport_options: options, transportOptions: options, retry_options: { interval_start: 0.5 } },
      asWorker,
    );
    expect(selection.transportOptions).toBe(options);
    expect(selection.retryOptions).toMatchObject({ intervalStartMs: 500 });
    expect(() => normaliseTransportSelection({ transport_options: { a: 1 }, transportOptions: { a: 1 } }, asWorker)).toThrow(
      /'transportOptions' and 'transport_options'/,
    );
  });

  it('leaves out what is absent, ignores keys that are not about the transport, and parses its own output again unchanged', () => {
    expect(normaliseTransportSelection({ transport: 'memory' }, asWorker)).toEqual({ selection: { transport: 'memory' }, owned: true });
    expect(normaliseTransportSelection({ exchange: 'e', topic: 't', url: 'memory://', transport: undefined }, asWorker).selection).toEqual({
      url: 'memory://',
    });
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

  describe('neither transport nor url: TF_TRANSPORT_NOT_GIVEN, never a memory default', () => {
    const notGiven = (input: Record<string, unknown>, context: Parameters<typeof normaliseTransportSelection>[1]) => {
      const error = caught(() => normaliseTransportSelection(input, context));
      expect(error).toBeInstanceOf(TransportNotGivenError);
      expect(TfError.is(error, 'TF_TRANSPORT_NOT_GIVEN')).toBe(true);
      return error as TransportNotGivenError;
    };

    it.each(['Engine', 'Worker'])('for the %s: lists the options that give one', (owner) => {
      // `fail` builds errors for bad values; a missing transport keeps its own code.
      const error = notGiven({ exchange: 'e', topics: ['t'], transport_options: {} }, { owner, fail: () => new RangeError('no') });
      expect(error.owner).toBe(owner);
      expect(error.message).toMatch(new RegExp(`^${owner}: no transport was given\\. `));
      expect(error.message).toContain("transport: 'filesystem' | 'amqp' | 'redis' | 'memory' (or a third-party transport's name)");
      expect(error.message).toContain('a url whose scheme picks the transport (amqp://, redis://, file://, memory://)');
      expect(error.message).toContain('a transport object');
      expect(error.message).toContain("the in-process 'memory' transport reaches nothing in another process");
      expect(error.message).not.toMatch(/install|@tf\/transport-memory/);
      expect(error.message).not.toContain('--transport');
    });

    it('for tf-worker: lists the flags and the config file keys', () => {
      const error = notGiven({ exchange: 'e', topic: 't', tasks: ['./t.js'] }, { owner: 'tf-worker' });
      expect(error.message).toMatch(/^no transport was given\. /);
      expect(error.message).toContain('--transport filesystem|amqp|redis|memory');
      expect(error.message).toContain('--url, whose scheme picks the transport (amqp://, redis://, file://, memory://)');
      expect(error.message).toContain('the key "transport" or "url" in the --config file');
      expect(error.message).not.toMatch(/install|@tf\/transport-memory/);
      // Either wording can be asked for.
      expect(notGiven({}, { owner: 'my-cli', commandLine: true }).message).toContain('--transport');
      expect(notGiven({}, { owner: 'tf-worker', commandLine: false }).message).toMatch(
        /^tf-worker: no transport was given\. Give one with the option/,
      );
    });

    it('comes after the checks of the values given, and only without both', () => {
      expect(
        TfError.is(
          caught(() => normaliseTransportSelection({ transport_options: 'x' }, asWorker)),
          'TF_INVALID_ARGUMENT',
        ),
      ).toBe(true);
      expect(
        TfError.is(
          caught(() => normaliseTransportSelection({ retryOptions: { bogus: 1 } }, asWorker)),
          'TF_TRANSPORT_UNKNOWN_OPTION',
        ),
      ).toBe(true);
      expect(normaliseTransportSelection({ url: 'amqp://h' }, asWorker).selection).toEqual({ url: 'amqp://h' });
      expect(normaliseTransportSelection({ transport: 'redis' }, asWorker).selection).toEqual({ transport: 'redis' });
    });

    it('required: false returns an empty selection, for a caller with its own default', () => {
      expect(normaliseTransportSelection({}, { ...asWorker, required: false })).toEqual({ selection: {}, owned: true });
    });
  });

  it("lets parseRetryOptions' typed errors through", () => {
    const error = caught(() => normaliseTransportSelection({ transport: 'redis', retryOptions: { bogus: 1 } }, asWorker));
    expect(TfError.is(error, 'TF_TRANSPORT_UNKNOWN_OPTION')).toBe(true);
    expect((error as Error).message).toContain("Transport 'redis'");
  });
});
