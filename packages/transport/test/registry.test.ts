import { afterEach, describe, expect, it } from 'vitest';
import {
  BUILTIN_SCHEMES,
  BaseTransport,
  TfError,
  TransportNotGivenError,
  TransportNotInstalledError,
  getRegisteredTransport,
  isTransport,
  loadTransportFactory,
  registerTransport,
  resolveTransport,
  transportNameForUrl,
  unregisterTransport,
} from '@tf/transport';
import type {
  ConsumerSpec,
  Subscription,
  Transport,
  TransportCreateOptions,
  TransportFactory,
  UnknownTransportOptionError,
} from '@tf/transport';
import * as exampleModule from '../../../examples/third-party-transport/src/index';

/** A do-nothing transport that remembers how it was created. */
class FakeTransport extends BaseTransport {
  readonly name: string;
  readonly capabilities = { crossProcess: true, persistent: true, reconnect: false, deliveryCount: false };
  protected readonly driver = 'fake';
  protected readonly driverVersion = '1.0.0';
  constructor(
    readonly created: TransportCreateOptions<FakeOptions>,
    name = 'fake',
  ) {
    super(created);
    this.name = name;
  }
  protected async doConnect(): Promise<void> {}
  protected async doClose(): Promise<void> {}
  protected async doPublish(): Promise<void> {}
  protected async doConsume(_spec: ConsumerSpec): Promise<Subscription> {
    return { stop: () => undefined };
  }
}
interface FakeOptions {
  dataFolderIn?: string;
  dataFolderOut?: string;
}
function fakeFactory(name = 'fake', schemes: string[] = ['fake']): TransportFactory<FakeOptions> {
  return { name, schemes, options: ['dataFolderIn', 'dataFolderOut'], create: (o) => new FakeTransport(o, name) };
}

const notFound = (specifier: string) =>
  Object.assign(new Error(`Cannot find package '${specifier}' imported from /app/node_modules/@tf/core/dist/index.js`), {
    code: 'ERR_MODULE_NOT_FOUND',
  });
const nothingInstalled = async (specifier: string): Promise<unknown> => {
  throw notFound(specifier);
};

const cleanups: (() => void)[] = [];
afterEach(() => {
  for (const c of cleanups.splice(0)) c();
});
function register<O extends object>(f: TransportFactory<O>, options?: { replace?: boolean }): void {
  cleanups.push(registerTransport(f, options));
}

async function errorOf(p: Promise<unknown>): Promise<TfError> {
  try {
    await p;
  } catch (e) {
    if (TfError.is(e)) return e;
    throw e;
  }
  throw new Error('expected a rejection');
}

describe('resolveTransport: by name', () => {
  it("'memory' loads @tf/transport-memory by dynamic import", async () => {
    const t = await resolveTransport({ transport: 'memory' });
    expect(isTransport(t)).toBe(true);
    expect(t.name).toBe('memory');
    expect(t.state).toBe('idle'); // not connected
    expect(t.details().driver).toBe('memory');
  });

  it('a third party: tries @tf/transport-<name>, then tf-transport-<name>', async () => {
    const tried: string[] = [];
    const t = await resolveTransport({
      transport: 'example',
      transportOptions: { lease_ms: 1000 },
      importer: async (specifier) => {
        tried.push(specifier);
        if (specifier === 'tf-transport-example') return exampleModule;
        throw notFound(specifier);
      },
    });
    cleanups.push(() => unregisterTransport('example'));
    expect(tried).toEqual(['@tf/transport-example', 'tf-transport-example']);
    expect(t.name).toBe('example');
    expect(t).toBeInstanceOf(exampleModule.ExampleTransport);
  });

  it('accepts a factory as the default export, and caches what it loaded', async () => {
    let imports = 0;
    const importer = async () => {
      imports += 1;
      return { default: fakeFactory('viadefault') };
    };
    cleanups.push(() => unregisterTransport('viadefault'));
    expect((await resolveTransport({ transport: 'viadefault', importer })).name).toBe('viadefault');
    expect((await resolveTransport({ transport: 'viadefault', importer })).name).toBe('viadefault');
    expect(imports).toBe(1);
  });

  it('a registered factory, without any package lookup', async () => {
    register(fakeFactory());
    const t = (await resolveTransport({ transport: 'fake', importer: nothingInstalled })) as FakeTransport;
    expect(t).toBeInstanceOf(FakeTransport);
    expect(t.created.options).toEqual({});
    expect(t.created.url).toBeUndefined();
  });
});

describe('resolveTransport: by URL scheme', () => {
  it('maps the first-party schemes', () => {
    expect(transportNameForUrl('amqp://guest:guest@localhost:5672//')).toBe('amqp');
    expect(transportNameForUrl('AMQPS://h')).toBe('amqp');
    expect(transportNameForUrl('redis://localhost')).toBe('redis');
    expect(transportNameForUrl('rediss://localhost')).toBe('redis');
    expect(transportNameForUrl('memory://')).toBe('memory');
    expect(transportNameForUrl('file:///tmp/q')).toBe('filesystem');
    expect(Object.keys(BUILTIN_SCHEMES).sort()).toEqual(['amqp', 'amqps', 'file', 'memory', 'redis', 'rediss']);
  });

  it('memory:// selects the memory transport and passes the URL on', async () => {
    const t = await resolveTransport({ url: 'memory://' });
    expect(t.name).toBe('memory');
    expect(t.details().uri).toBe('memory://');
  });

  it('amqp:// looks for @tf/transport-amqp', async () => {
    const tried: string[] = [];
    const e = await errorOf(
      resolveTransport({
        url: 'amqp://guest:guest@localhost//',
        importer: (s) => {
          tried.push(s);
          return nothingInstalled(s);
        },
      }),
    );
    expect(e.code).toBe('TF_TRANSPORT_NOT_INSTALLED');
    expect(tried[0]).toBe('@tf/transport-amqp');
    expect(e.message).not.toContain('guest:guest');
  });

  it("a registered factory's schemes", async () => {
    register(fakeFactory('fake', ['fake', 'fakes']));
    const t = (await resolveTransport({ url: 'fakes://u:pw@host/x' })) as FakeTransport;
    expect(t.name).toBe('fake');
    expect(t.created.url).toBe('fakes://u:pw@host/x');
    expect(t.details().uri).toBe('fakes://u:***@host/x');
  });

  it('an unknown scheme is a typed error listing the known ones', async () => {
    const e = await errorOf(resolveTransport({ url: 'gopher://x' }));
    expect(e.code).toBe('TF_TRANSPORT_UNKNOWN_SCHEME');
    expect(e.message).toContain("'gopher:'");
    expect(e.message).toContain('amqp://');
    expect((await errorOf(resolveTransport({ url: 'no scheme here' }))).code).toBe('TF_TRANSPORT_UNKNOWN_SCHEME');
  });

  it('with neither name nor URL: TF_TRANSPORT_NOT_GIVEN listing the ways to give one, never a memory default', async () => {
    let imported = 0;
    const importer = async (specifier: string): Promise<unknown> => {
      imported += 1;
      throw notFound(specifier);
    };
    for (const options of [undefined, {}, { importer }, { transportOptions: {}, retryOptions: {}, importer }]) {
      const e = (await errorOf(resolveTransport(options))) as TransportNotGivenError;
      expect(e).toBeInstanceOf(TransportNotGivenError);
      expect(e.code).toBe('TF_TRANSPORT_NOT_GIVEN');
      expect(e.owner).toBeUndefined();
      expect(e.message).toMatch(/^No transport was given\./);
      expect(e.message).toContain("transport: 'filesystem' | 'amqp' | 'redis' | 'memory'");
      expect(e.message).toContain("a third-party transport's name");
      expect(e.message).toContain('(amqp://, redis://, file://, memory://)');
      expect(e.message).toContain('a transport object');
      // The old text sent people to install the memory transport, which cannot help across processes.
      expect(e.message).not.toMatch(/install/i);
    }
    expect(imported).toBe(0); // nothing was looked up
    expect((await resolveTransport({ url: 'memory://' })).name).toBe('memory'); // named, memory still works
  });

  it('a name wins over the URL scheme', async () => {
    register(fakeFactory());
    const t = (await resolveTransport({ transport: 'fake', url: 'amqp://h' })) as FakeTransport;
    expect(t.name).toBe('fake');
    expect(t.created.url).toBe('amqp://h');
  });
});

describe('resolveTransport: by object', () => {
  it('uses a transport object as is', async () => {
    const mine = new FakeTransport({ url: undefined, options: {}, retryOptions: undefined as never, logger: undefined as never });
    expect(await resolveTransport({ transport: mine })).toBe(mine);
  });

  it('recognises it by brand, not instanceof (another copy of @tf/core)', async () => {
    const foreign = { [Symbol.for('tf.transport')]: true, name: 'foreign' } as unknown as Transport;
    expect(await resolveTransport({ transport: foreign })).toBe(foreign);
  });

  it('rejects an unbranded object, and options that cannot apply to an object', async () => {
    const e = await errorOf(resolveTransport({ transport: { name: 'x' } as unknown as Transport }));
    expect(e.code).toBe('TF_INVALID_ARGUMENT');
    const mine = new FakeTransport({ url: undefined, options: {}, retryOptions: undefined as never, logger: undefined as never });
    const e2 = await errorOf(resolveTransport({ transport: mine, transportOptions: { a: 1 }, url: 'amqp://h' }));
    expect(e2.code).toBe('TF_INVALID_ARGUMENT');
    expect(e2.message).toContain('url and transportOptions');
    expect(await resolveTransport({ transport: mine, transportOptions: {} })).toBe(mine);
  });
});

describe('resolveTransport: missing packages and unknown names', () => {
  it('a first-party transport not installed: one clear error naming the install command', async () => {
    const e = (await errorOf(resolveTransport({ transport: 'amqp', importer: nothingInstalled }))) as TransportNotInstalledError;
    expect(e.code).toBe('TF_TRANSPORT_NOT_INSTALLED');
    expect(e.transport).toBe('amqp');
    expect(e.packages).toEqual(['@tf/transport-amqp', 'tf-transport-amqp']);
    expect(e.message).toContain('npm install @tf/transport-amqp');
    expect(e.message).toContain('pnpm add @tf/transport-amqp');
  });

  it('an unknown name (no package under either name), with the real importer: how transports are found, no install command', async () => {
    const e = (await errorOf(resolveTransport({ transport: 'nosuch-transport-zz' }))) as TransportNotInstalledError;
    expect(e.code).toBe('TF_TRANSPORT_NOT_INSTALLED');
    expect(e.suggestion).toBeUndefined();
    expect(e.message).toMatch(/^Unknown transport 'nosuch-transport-zz'\. Known transports: amqp, filesystem, memory, redis/);
    expect(e.message).not.toContain('did you mean');
    expect(e.message).toContain('neither @tf/transport-nosuch-transport-zz nor tf-transport-nosuch-transport-zz is installed');
    expect(e.message).toContain('found as the package @tf/transport-<name>, then tf-transport-<name>');
    expect(e.message).toContain('registerTransport()');
    // Recommending a package nobody registered invites whoever publishes it first.
    expect(e.message).not.toMatch(/npm install|pnpm add/);
  });

  it('a misspelled name: "did you mean \'filesystem\'?" first, then how third-party transports are found', async () => {
    const tried: string[] = [];
    const importer = async (specifier: string): Promise<unknown> => {
      tried.push(specifier);
      throw notFound(specifier);
    };
    const e = (await errorOf(resolveTransport({ transport: 'filesytem', importer }))) as TransportNotInstalledError;
    expect(e).toBeInstanceOf(TransportNotInstalledError);
    expect(e.code).toBe('TF_TRANSPORT_NOT_INSTALLED');
    expect(e.suggestion).toBe('filesystem');
    expect(tried).toEqual(['@tf/transport-filesytem', 'tf-transport-filesytem']);
    const m = e.message;
    expect(m).toMatch(/^Unknown transport 'filesytem': did you mean 'filesystem'\?/);
    const hint = m.indexOf("did you mean 'filesystem'?");
    const thirdParty = m.indexOf('@tf/transport-<name>, then tf-transport-<name>');
    expect(hint).toBeGreaterThan(-1);
    expect(thirdParty).toBeGreaterThan(hint);
    // The misspelled package name is never the first thing offered, nor offered for installing at all.
    expect(m.indexOf('tf-transport-filesytem')).toBeGreaterThan(hint);
    expect(m).not.toMatch(/npm install|pnpm add/);
  });

  it('suggests by edit distance among the built-in and the registered names, and only close ones', async () => {
    register(fakeFactory('sqs-lease', []));
    const suggestionFor = async (name: string) =>
      ((await errorOf(resolveTransport({ transport: name, importer: nothingInstalled }))) as TransportNotInstalledError).suggestion;
    expect(await suggestionFor('amqq')).toBe('amqp');
    expect(await suggestionFor('reds')).toBe('redis');
    expect(await suggestionFor('memroy')).toBe('memory');
    expect(await suggestionFor('sqs-leese')).toBe('sqs-lease'); // a registered name
    expect(await suggestionFor('sqs')).toBeUndefined(); // 3 edits from amqp: not a typo
    expect(await suggestionFor('kafka')).toBeUndefined();
    const listed = (await errorOf(resolveTransport({ transport: 'kafka', importer: nothingInstalled }))).message;
    expect(listed).toContain('Known transports: amqp, filesystem, memory, redis, sqs-lease.');
  });

  it('an upper-case spelling of a known name is an argument error that names it', async () => {
    const e = await errorOf(resolveTransport({ transport: 'AMQP' }));
    expect(e.code).toBe('TF_INVALID_ARGUMENT');
    expect(e.message).toContain("Did you mean 'amqp'?");
  });

  it('an invalid name is an argument error', async () => {
    for (const name of ['Bad Name', '../evil', '@scope/pkg', '']) {
      expect((await errorOf(resolveTransport({ transport: name }))).code).toBe('TF_INVALID_ARGUMENT');
    }
  });

  it('a package that is there but fails to load is not reported as missing', async () => {
    const e = await errorOf(
      resolveTransport({
        transport: 'broken',
        importer: async (s) => {
          if (s === '@tf/transport-broken') throw notFound('amqplib'); // its dependency is missing
          throw notFound(s);
        },
      }),
    );
    expect(e.code).toBe('TF_TRANSPORT_LOAD_FAILED');
    expect(e.message).toContain('amqplib');
  });

  it('a package without a factory export is a load error', async () => {
    const e = await errorOf(resolveTransport({ transport: 'empty', importer: async () => ({ something: 1 }) }));
    expect(e.code).toBe('TF_TRANSPORT_LOAD_FAILED');
    expect(e.message).toContain('export const transport');
  });

  it('a factory that makes something unbranded is a load error', async () => {
    register({ name: 'liar', options: [], create: () => ({}) as Transport });
    expect((await errorOf(resolveTransport({ transport: 'liar' }))).code).toBe('TF_TRANSPORT_LOAD_FAILED');
  });
});

describe('resolveTransport: options', () => {
  it('an unknown transport option is a typed error naming it and the allowed ones', async () => {
    const e = (await errorOf(resolveTransport({ transport: 'memory', transportOptions: { bogus: 1 } }))) as UnknownTransportOptionError;
    expect(e.code).toBe('TF_TRANSPORT_UNKNOWN_OPTION');
    expect(e.option).toBe('bogus');
    expect(e.allowed).toEqual(['latencyMs', 'pollingInterval', 'temporaryTopicExpiryMs', 'maxMessageBytes']);
    expect(e.message).toContain("'bogus'");
    expect(e.message).toContain('latencyMs');
  });

  it('snake_case option keys are accepted and camelCased, at both levels', async () => {
    register(fakeFactory());
    const t = (await resolveTransport({
      transport: 'fake',
      transport_options: { data_folder_in: '/tmp/in', data_folder_out: '/tmp/out' },
      retry_options: { interval_start: 0.5, max_retries: 5 },
    })) as FakeTransport;
    expect(t.created.options).toEqual({ dataFolderIn: '/tmp/in', dataFolderOut: '/tmp/out' });
    expect(t.created.retryOptions).toMatchObject({ intervalStartMs: 500, maxRetries: 5 });
    expect(t.retryOptions).toMatchObject({ intervalStartMs: 500, maxRetries: 5 });
    const m = await resolveTransport({ transport: 'memory', transportOptions: { latency_ms: 5 } });
    expect(m.name).toBe('memory');
  });

  it('retry options reach the transport; bad ones are errors', async () => {
    const t = await resolveTransport({ transport: 'memory', retryOptions: { intervalStartMs: 10, maxRetries: null } });
    expect(t.retryOptions).toEqual({ intervalStartMs: 10, intervalStepMs: 1000, intervalMaxMs: 1000, maxRetries: null });
    expect((await errorOf(resolveTransport({ transport: 'memory', retryOptions: { nope: 1 } as never }))).code).toBe(
      'TF_TRANSPORT_UNKNOWN_OPTION',
    );
  });

  it('an unknown selection key is an error', async () => {
    const e = await errorOf(resolveTransport({ transprt: 'memory' } as never));
    expect(e.code).toBe('TF_INVALID_ARGUMENT');
    expect(e.message).toContain('transprt');
  });
});

describe('registerTransport', () => {
  it('refuses a second factory under a taken name unless replacing; unregisters', async () => {
    const first = fakeFactory('dup');
    const unregister = registerTransport(first);
    expect(() => registerTransport(fakeFactory('dup'))).toThrow(/registered already/);
    expect(() => registerTransport(first)).not.toThrow();
    const second = fakeFactory('dup');
    const unregister2 = registerTransport(second, { replace: true });
    expect(getRegisteredTransport('dup')).toBe(second);
    unregister(); // not the current one: no effect
    expect(getRegisteredTransport('dup')).toBe(second);
    unregister2();
    expect(getRegisteredTransport('dup')).toBeUndefined();
  });

  it('refuses what is not a factory', () => {
    expect(() => registerTransport({ name: 'x' } as never)).toThrow(/factory/);
    expect(() => registerTransport(fakeFactory('Not Valid'))).toThrow(/Invalid transport name/);
  });

  it('loadTransportFactory returns the registered factory', async () => {
    const f = fakeFactory('lookup');
    register(f);
    expect(await loadTransportFactory('lookup', nothingInstalled)).toBe(f);
  });
});
