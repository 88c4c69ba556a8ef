import { defineConfig } from 'tsup';
import { packageBuild } from '../../tsup.config.base';

export default defineConfig([
  // The library (Node). `shims` gives the CJS build an import.meta.url to find the page script by.
  { ...packageBuild(), shims: true, clean: ['!live-view-page.global.js', '!live-view-page.global.js.map'] },
  // The page's script for the browser, dagre bundled in: served by the library, no CDN.
  {
    entry: { 'live-view-page': 'src/page/app.ts' },
    tsconfig: 'tsconfig.build.json',
    format: ['iife'],
    platform: 'browser',
    target: 'es2020',
    minify: true,
    dts: false,
    sourcemap: false,
    clean: false,
    splitting: false,
    treeshake: true,
  },
]);
