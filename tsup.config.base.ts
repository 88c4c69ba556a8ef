import type { Options } from 'tsup';

/** The build every package shares: ESM first, CJS beside it, declarations for both. */
export function packageBuild(entry: Record<string, string> | string[] = ['src/index.ts']): Options {
  return {
    entry,
    // tsconfig.json type-checks src and test against the other packages' sources; the build sees only src.
    tsconfig: 'tsconfig.build.json',
    format: ['esm', 'cjs'],
    dts: true,
    sourcemap: true,
    clean: true,
    target: 'node20',
    splitting: false,
    treeshake: true,
  };
}
