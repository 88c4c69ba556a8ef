import { spawn } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
const fixtures = 'packages/cli/test/fixtures';

/** Runs `tf` from source in its own node process (tsx loader, cwd = repo root), killed after 30 s. */
function tf(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'packages/cli/src/cli.ts', ...args], {
      cwd: root,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`tf ${args.join(' ')} did not finish in 30 s; stderr: ${stderr}`));
    }, 30_000);
    child.stdout.on('data', (c: Buffer) => {
      stdout += c.toString();
    });
    child.stderr.on('data', (c: Buffer) => {
      stderr += c.toString();
    });
    child.on('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

/** The top-left corner of each atom box of an SVG, by the name in its title. */
function boxes(svg: string): Map<string, { x: number; y: number }> {
  const out = new Map<string, { x: number; y: number }>();
  for (const match of svg.matchAll(
    /<g class="n [^"]*" data-id="\d+" transform="translate\(([\d.-]+),([\d.-]+)\)">.*?<title>(.*?)<\/title><\/g>/g,
  )) {
    out.set(match[3]!, { x: Number(match[1]), y: Number(match[2]) });
  }
  return out;
}

describe('tf render', () => {
  it('prints the default export as Mermaid', async () => {
    const { code, stdout, stderr } = await tf(['render', `${fixtures}/render-flows.ts`]);
    expect(stderr).toBe('');
    expect(code).toBe(0);
    expect(stdout).toMatch(/^flowchart TD\n/);
    expect(stdout).toContain('["receive #lt;order#gt;"]');
    expect(stdout).toContain('subgraph f1["checks (unordered)"]');
  });

  it('prints a named export as DOT, and a factory export', async () => {
    const billing = await tf(['render', `${fixtures}/render-flows.ts`, '--export', 'billing', '--format', 'dot']);
    expect(billing.code).toBe(0);
    expect(billing.stdout).toMatch(/^digraph "billing" \{/);
    expect(billing.stdout).toContain('[shape=box, label="charge"]');
    const nightly = await tf(['render', `${fixtures}/render-flows.ts`, '--export', 'nightly', '--format', 'mermaid']);
    expect(nightly.code).toBe(0);
    expect(nightly.stdout).toContain('|"decider: weekday"|');
  });

  it('prints SVG laid out by dagre: a box per atom, in order from top to bottom, escaped names', async () => {
    const { code, stdout } = await tf(['render', `${fixtures}/render-flows.ts`, '--format', 'svg']);
    expect(code).toBe(0);
    expect(stdout).toMatch(/^<svg xmlns="http:\/\/www\.w3\.org\/2000\/svg" class="flow" width="\d+" height="\d+"/);
    expect(stdout.trimEnd().endsWith('</svg>')).toBe(true);
    expect(stdout).not.toContain('<order>');
    const placed = boxes(stdout);
    expect([...placed.keys()].sort()).toEqual(['check credit', 'check stock', 'receive &lt;order&gt;', 'ship']);
    const y = (name: string) => placed.get(name)!.y;
    expect(y('receive &lt;order&gt;')).toBeLessThan(y('check stock'));
    expect(y('check stock')).toBe(y('check credit'));
    expect(placed.get('check stock')!.x).not.toBe(placed.get('check credit')!.x);
    expect(y('check credit')).toBeLessThan(y('ship'));
    expect(stdout.match(/<path class="e /g)?.length).toBeGreaterThanOrEqual(6);
  });

  it('fails with one line when the module has several flows and no --export, or not the one named, or a bad format', async () => {
    const several = await tf(['render', `${fixtures}/two-flows.ts`]);
    expect(several.code).toBe(1);
    expect(several.stderr).toContain('exports several flows (first, second): choose one with --export <name>');
    expect(several.stderr).toContain('[TF_FLOW_EXPORT_NOT_FOUND]');
    const missing = await tf(['render', `${fixtures}/two-flows.ts`, '--export', 'third']);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain("has no flow exported as 'third'");
    const format = await tf(['render', `${fixtures}/two-flows.ts`, '--export', 'first', '--format', 'png']);
    expect(format.code).toBe(1);
    expect(format.stderr).toContain("argument 'png' is invalid");
    expect(format.stdout).toBe('');
  });
});
