// The mutation score of each file in Stryker's JSON reports, as the Markdown table of bench/mutation/README.md.
// Score = (killed + timed out) / (killed + timed out + survived + no coverage): Stryker's score over covered and
// uncovered mutants; compile errors and ignored (static) mutants are left out.
import { existsSync, readFileSync } from 'node:fs';
import { relative } from 'node:path';
import { pathToFileURL } from 'node:url';
import { areas } from './areas.mjs';

interface Report {
  files: Record<string, { mutants: { status: string }[] }>;
}

export interface FileScore {
  file: string;
  killed: number;
  survived: number;
  noCoverage: number;
}

export function fileScores(reportPaths: readonly string[]): FileScore[] {
  const byFile = new Map<string, FileScore>();
  for (const path of reportPaths) {
    const report = JSON.parse(readFileSync(path, 'utf8')) as Report;
    for (const [name, { mutants }] of Object.entries(report.files)) {
      const file = relative(process.cwd(), name) || name;
      const count = (...statuses: string[]) => mutants.filter((m) => statuses.includes(m.status)).length;
      byFile.set(file, { file, killed: count('Killed', 'Timeout'), survived: count('Survived'), noCoverage: count('NoCoverage') });
    }
  }
  return [...byFile.values()].sort((a, b) => a.file.localeCompare(b.file));
}

const percent = (killed: number, total: number) => `${total ? ((100 * killed) / total).toFixed(1) : '100.0'}%`;

export function printScores(reportPaths: readonly string[]): void {
  const rows = fileScores(reportPaths);
  let killed = 0;
  let total = 0;
  console.log('| file | score | killed | survived | no coverage |');
  console.log('|---|---:|---:|---:|---:|');
  for (const row of rows) {
    const rowTotal = row.killed + row.survived + row.noCoverage;
    killed += row.killed;
    total += rowTotal;
    console.log(`| ${row.file} | ${percent(row.killed, rowTotal)} | ${row.killed} | ${row.survived} | ${row.noCoverage} |`);
  }
  console.log(`| **all** | ${percent(killed, total)} | ${killed} | ${total - killed} | |`);
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const given = process.argv.slice(2);
  const reports = [...Object.keys(areas), 'custom'].map((area) => `reports/mutation/${area}.json`).filter((path) => existsSync(path));
  printScores(given.length > 0 ? given : reports);
}
