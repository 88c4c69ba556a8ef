import { defineConfig } from 'tsup';
import { packageBuild } from '../../tsup.config.base';

export default defineConfig([
  // The library. Cleaning leaves the CLI's files alone: the two builds run at the same time.
  { ...packageBuild(), clean: ['!cli.js', '!cli.js.map'] },
  // The tf-conductor command: ESM only; esbuild keeps src/cli.ts's shebang.
  {
    entry: { cli: 'src/cli.ts' },
    tsconfig: 'tsconfig.build.json',
    format: ['esm'],
    dts: false,
    sourcemap: true,
    clean: false,
    target: 'node20',
    splitting: false,
    treeshake: true,
  },
]);
