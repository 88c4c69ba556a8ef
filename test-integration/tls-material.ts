/**
 * Throwaway TLS material for tests, made by `openssl` in a temp folder: a CA, a server
 * certificate it signs for 127.0.0.1 and localhost (subjectAltName), and a second, unrelated
 * CA (the "wrong" one a client may be given). Nothing here is a secret; the folder is removed
 * by `remove()` (and the keys are worthless once it is).
 */
import { execFile, spawnSync } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { OwnBrokerTls } from './own-brokers';

/** The `openssl` binary (PATH lookup unless `TF_OPENSSL` names one). */
export const OPENSSL = process.env['TF_OPENSSL'] ?? 'openssl';

const OPENSSL_TIMEOUT_MS = 30_000;

export interface TestTls extends OwnBrokerTls {
  /** The CA's certificate, PEM: what a client trusts. */
  readonly ca: string;
  /** An unrelated CA's certificate, PEM: a client given it must refuse the server. */
  readonly wrongCa: string;
  /** Removes the folder. Idempotent. */
  remove(): Promise<void>;
}

/** Whether `openssl` can be run (asked once). */
export function canRunOpenssl(): boolean {
  return (opensslOk ??= spawnSync(OPENSSL, ['version'], { stdio: 'ignore', timeout: 10_000 }).status === 0);
}
let opensslOk: boolean | undefined;

function openssl(dir: string, args: readonly string[]): Promise<void> {
  return new Promise((resolve, reject) => {
    execFile(OPENSSL, args, { cwd: dir, timeout: OPENSSL_TIMEOUT_MS, killSignal: 'SIGKILL' }, (error, _stdout, stderr) => {
      if (error) reject(new Error(`openssl ${args[0]} failed (${error.code ?? error.signal}): ${stderr.trim()}`));
      else resolve();
    });
  });
}

/** A self-signed CA certificate and its key, valid for a day. */
function makeCa(dir: string, name: string, cn: string): Promise<void> {
  return openssl(dir, [
    ...['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '1', '-subj', `/CN=${cn}`],
    ...['-keyout', `${name}-key.pem`, '-out', `${name}.pem`],
    ...['-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign,cRLSign'],
  ]);
}

/** Makes a CA, a server certificate it signs (127.0.0.1, localhost) and an unrelated CA, in a temp folder. */
export async function makeTestTls(): Promise<TestTls> {
  const dir = await mkdtemp(join(tmpdir(), 'tf-tls-'));
  try {
    await makeCa(dir, 'ca', 'tf test CA');
    await makeCa(dir, 'wrong-ca', 'tf unrelated test CA');
    await openssl(dir, [
      'req',
      '-newkey',
      'rsa:2048',
      '-nodes',
      '-subj',
      '/CN=localhost',
      '-keyout',
      'server-key.pem',
      '-out',
      'server.csr',
    ]);
    await writeFile(
      join(dir, 'server.ext'),
      'subjectAltName=IP:127.0.0.1,DNS:localhost\nbasicConstraints=CA:FALSE\nkeyUsage=digitalSignature,keyEncipherment\nextendedKeyUsage=serverAuth\n',
    );
    await openssl(dir, [
      ...['x509', '-req', '-in', 'server.csr', '-CA', 'ca.pem', '-CAkey', 'ca-key.pem', '-CAcreateserial'],
      ...['-days', '1', '-extfile', 'server.ext', '-out', 'server.pem'],
    ]);
    let removed: Promise<void> | undefined;
    return {
      certFile: join(dir, 'server.pem'),
      keyFile: join(dir, 'server-key.pem'),
      caFile: join(dir, 'ca.pem'),
      ca: await readFile(join(dir, 'ca.pem'), 'utf8'),
      wrongCa: await readFile(join(dir, 'wrong-ca.pem'), 'utf8'),
      remove: () => (removed ??= rm(dir, { recursive: true, force: true, maxRetries: 3 })),
    };
  } catch (error) {
    await rm(dir, { recursive: true, force: true });
    throw error;
  }
}
