import { fileURLToPath } from 'node:url';
import { defineConfig, type ViteUserConfig } from 'vitest/config';

// Tests run against source: every `@tf/<name>` import resolves to packages/<name>/src.
const packagesDir = fileURLToPath(new URL('./packages/', import.meta.url));
export const sourceAlias = [
  { find: /^@tf\/core\/internal$/, replacement: `${packagesDir}core/src/internal.ts` },
  { find: /^@tf\/([a-z0-9-]+)$/, replacement: `${packagesDir}$1/src/index.ts` },
  // The third-party example transport, found by the tf-transport-<name> lookup: from source too.
  { find: /^tf-transport-nats$/, replacement: `${packagesDir}../examples/transport-nats/src/index.ts` },
];

/** The config of one package's own tests, so `pnpm test` works from its folder. */
export function packageTestConfig(name: string): ViteUserConfig {
  return defineConfig({
    resolve: { alias: sourceAlias },
    // 2 shared cores: the 5 s default fails heavy tests (graph compiles, spawned processes) under load.
    test: { name, testTimeout: 30_000, include: ['test/**/*.test.ts'] },
  });
}
