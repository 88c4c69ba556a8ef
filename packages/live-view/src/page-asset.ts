import { readFile } from 'node:fs/promises';
import { LiveViewError, LiveViewErrorCode } from './errors';

/** The page's script, bundled at build time (dagre included): beside the built module, or in dist/ when run from source. */
const CANDIDATES = ['./live-view-page.global.js', '../dist/live-view-page.global.js'];

let cached: Promise<Buffer> | undefined;

async function load(): Promise<Buffer> {
  for (const candidate of CANDIDATES) {
    try {
      return await readFile(new URL(candidate, import.meta.url));
    } catch {
      // try the next place
    }
  }
  throw new LiveViewError(
    LiveViewErrorCode.AssetMissing,
    "The live view's page script (live-view-page.global.js) is missing: build @tf/live-view (pnpm build)",
  );
}

/** The page script's bytes, read once. */
export function pageScript(): Promise<Buffer> {
  cached ??= load();
  cached.catch(() => (cached = undefined));
  return cached;
}
