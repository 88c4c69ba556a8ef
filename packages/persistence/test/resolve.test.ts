import { TfError } from '@tf/core';
import { isPersistenceBackend, MemoryPersistenceBackend, registerBackend, resolveBackend } from '@tf/persistence';
import { describe, expect, it } from 'vitest';

async function rejection(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(
    () => undefined,
    (e: unknown) => e,
  );
}

describe('resolveBackend', () => {
  it('an unknown scheme names the package to install (TF_BACKEND_NOT_INSTALLED)', async () => {
    const error = await rejection(resolveBackend('mongodb://db.example/tf'));
    expect(TfError.is(error, 'TF_BACKEND_NOT_INSTALLED')).toBe(true);
    expect((error as Error).message).toContain('tf-persistence-mongodb');
    expect(error).toMatchObject({ scheme: 'mongodb', packageName: 'tf-persistence-mongodb' });
  });

  it('a first-party scheme whose package is missing names the @tf package', async () => {
    const missing = (specifier: string) => Promise.reject(new Error(`Cannot find package '${specifier}' imported from /x`));
    const error = await rejection(resolveBackend('sqlite:///tmp/x.db', { importer: missing }));
    expect(TfError.is(error, 'TF_BACKEND_NOT_INSTALLED')).toBe(true);
    expect((error as Error).message).toContain('npm install @tf/persistence-sqlite');
    const pg = await rejection(resolveBackend('postgres://h/db', { importer: missing }));
    expect((pg as Error).message).toContain('@tf/persistence-postgres');
  });

  it('a package found but without createBackend is TF_BACKEND_UNAVAILABLE', async () => {
    const error = await rejection(resolveBackend('odd://x', { importer: async () => ({ somethingElse: 1 }) }));
    expect(TfError.is(error, 'TF_BACKEND_UNAVAILABLE')).toBe(true);
  });

  it("a third party's package is found by its createBackend export, with the URL and options", async () => {
    const seen: unknown[] = [];
    const backend = await resolveBackend(
      { connection: 'thing://host/place', flavour: 'mint' },
      {
        importer: async (specifier) => {
          seen.push(specifier);
          return {
            createBackend: (url: URL, options: Record<string, unknown>) => {
              seen.push(url.href, options);
              return new MemoryPersistenceBackend();
            },
          };
        },
      },
    );
    expect(isPersistenceBackend(backend)).toBe(true);
    expect(seen).toEqual(['tf-persistence-thing', 'thing://host/place', { flavour: 'mint' }]);
  });

  it('a registered scheme needs no package; the undo removes it', async () => {
    const undo = registerBackend('regd', () => new MemoryPersistenceBackend());
    expect(isPersistenceBackend(await resolveBackend('regd://'))).toBe(true);
    undo();
    expect(TfError.is(await rejection(resolveBackend('regd://')), 'TF_BACKEND_NOT_INSTALLED')).toBe(true);
  });

  it('a backend object is returned as is', async () => {
    const backend = new MemoryPersistenceBackend();
    expect(await resolveBackend(backend)).toBe(backend);
  });

  it('bad input is TF_INVALID_ARGUMENT: not a URL, no connection, a relative dir path, a password never echoed', async () => {
    for (const input of ['not a url', { connection: 42 }, 'dir://relative/path', 'dir:///']) {
      const error = await rejection(resolveBackend(input as never));
      expect(TfError.is(error, 'TF_INVALID_ARGUMENT'), `${JSON.stringify(input)}: ${String(error)}`).toBe(true);
    }
    const error = await rejection(resolveBackend('::postgresql://u:hunter2@h/db'));
    expect((error as Error).message).not.toContain('hunter2');
  });

  it('memory://name is shared in the process; memory:// is a store of its own', async () => {
    const a = await resolveBackend('memory://shared-resolve-test');
    const b = await resolveBackend('memory://shared-resolve-test');
    await a.saveFlow({ uuid: 'f', name: 'n', state: 'RUNNING', store: {} });
    expect((await b.loadFlow('f'))?.name).toBe('n');
    const own = await resolveBackend('memory://');
    expect(await own.loadFlow('f')).toBeUndefined();
  });

  it('an unknown option is refused', async () => {
    expect(TfError.is(await rejection(resolveBackend({ connection: 'memory://', poolSize: 2 })), 'TF_INVALID_ARGUMENT')).toBe(true);
  });
});
