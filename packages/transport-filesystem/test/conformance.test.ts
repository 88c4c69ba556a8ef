import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { replyPublishSuite, temporaryTopicsSuite, transportConformance } from '@tf/transport-testkit';
import type { ConformanceOptions } from '@tf/transport-testkit';
import { FilesystemTransport } from '@tf/transport-filesystem';

// Every test gets fresh folders; all transports of one test share them (like processes sharing a disk).
let folder: string | undefined;
const current = (): string => (folder ??= mkdtempSync(join(tmpdir(), 'tf-fs-conformance-')));

const options: ConformanceOptions = {
  name: 'filesystem',
  create: () =>
    new FilesystemTransport({
      dataFolder: current(),
      leaseMs: 2_000,
      temporaryTopicExpiryMs: 1_000,
      retryOptions: { intervalStartMs: 20 },
    }),
  cleanup: () => {
    if (folder) rmSync(folder, { recursive: true, force: true });
    folder = undefined;
  },
  dropConnection: (t) => (t as FilesystemTransport).simulateDisconnect(),
  crash: (t) => (t as FilesystemTransport).simulateCrash(),
  topicExists: (exchange, topic) => existsSync(join(current(), exchange, topic)),
  temporaryTopicExpiryMs: 1_000,
};
transportConformance(options);
replyPublishSuite(options);
temporaryTopicsSuite(options);
