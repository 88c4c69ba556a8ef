// `pnpm mutation [area...] [-- stryker options]`: runs Stryker over each area of areas.mjs in turn (all by default),
// then prints the score per file of every area that has a report. With `--mutate <glob>`, one run over those files.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { areas } from './areas.mjs';
import { printScores } from './scores';

// A bound, not an estimate: an area takes minutes to an hour on 2 shared cores.
const AREA_TIMEOUT_MS = 3 * 60 * 60 * 1000;

const args = process.argv.slice(2).filter((arg) => arg !== '--');
const named = args.filter((arg) => arg in areas);
const strykerArgs = args.filter((arg) => !(arg in areas));
const unknown = strykerArgs.filter((arg, i) => !arg.startsWith('-') && !strykerArgs[i - 1]?.startsWith('-'));
if (unknown.length > 0) {
  console.error(`unknown area(s): ${unknown.join(', ')}; areas: ${Object.keys(areas).join(', ')}`);
  process.exit(2);
}
const runs = strykerArgs.includes('--mutate') ? ['custom'] : named.length > 0 ? named : Object.keys(areas);

let failed = false;
for (const area of runs) {
  console.log(`\n== mutation: ${area}`);
  const run = spawnSync('stryker', ['run', ...strykerArgs], {
    stdio: 'inherit',
    env: { ...process.env, TF_MUTATION_AREA: area },
    timeout: AREA_TIMEOUT_MS,
  });
  if (run.status !== 0) {
    console.error(`mutation: ${area} ${run.error ? `failed: ${run.error.message}` : `exited with ${run.status ?? run.signal}`}`);
    failed = true;
  }
}

const reports = [...Object.keys(areas), 'custom'].map((area) => `reports/mutation/${area}.json`).filter((path) => existsSync(path));
console.log('\n== mutation score per file\n');
printScores(reports);
process.exit(failed ? 1 : 0);
