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

/**
 * The build of a package with a command (`tf`, `tf-worker`, `tf-conductor`): the library, and
 * `dist/cli.js` (ESM only; esbuild keeps src/cli.ts's shebang). `@tf/command`, private to this
 * repository, is bundled into both, so installs need no package of its own.
 */
export function commandPackageBuild(): Options[] {
  const bundled = { noExternal: ['@tf/command'] };
  return [
    // Cleaning leaves the command's files alone: the two builds run at the same time.
    { ...packageBuild(), ...bundled, clean: ['!cli.js', '!cli.js.map'] },
    {
      ...bundled,
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
  ];
}
