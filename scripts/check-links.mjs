// Checks every Markdown link in the repository: relative targets must exist (and their
// #anchors must match a heading); links that leave the repository are reported.
// Usage: node scripts/check-links.mjs [root]
import { readdirSync, readFileSync, statSync, existsSync } from 'node:fs';
import { join, dirname, resolve, relative } from 'node:path';

const root = resolve(process.argv[2] ?? '.');
const files = [];
(function walk(dir) {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (entry.name === 'node_modules' || entry.name === '.git' || entry.name === 'dist') continue;
    const p = join(dir, entry.name);
    if (entry.isDirectory()) walk(p);
    else if (entry.name.endsWith('.md')) files.push(p);
  }
})(root);

/** Text outside fenced code blocks, inline code removed. */
function prose(text) {
  const out = [];
  let fenced = false;
  for (const line of text.split('\n')) {
    if (/^\s*(```|~~~)/.test(line)) {
      fenced = !fenced;
      out.push('');
      continue;
    }
    out.push(fenced ? '' : line);
  }
  return out.join('\n');
}

function slugs(file) {
  const seen = new Map();
  const set = new Set();
  for (const line of prose(readFileSync(file, 'utf8')).split('\n')) {
    const m = /^#{1,6}\s+(.*?)\s*#*\s*$/.exec(line);
    if (!m) continue;
    const text = m[1].replace(/\[([^\]]*)\]\([^)]*\)/g, '$1');
    const slug = text
      .toLowerCase()
      .replace(/[^\p{L}\p{N}\s_-]/gu, '')
      .replace(/\s/g, '-');
    const n = seen.get(slug) ?? 0;
    seen.set(slug, n + 1);
    set.add(n === 0 ? slug : `${slug}-${n}`);
  }
  return set;
}

let checked = 0;
const problems = [];
for (const file of files) {
  const text = prose(readFileSync(file, 'utf8')).replace(/`[^`\n]*`/g, '');
  const rel = relative(root, file);
  for (const m of text.matchAll(/!?\[[^\]]*\]\(\s*<?([^)\s>]+)>?(?:\s+"[^"]*")?\s*\)/g)) {
    const target = m[1];
    checked++;
    if (/^[a-z][a-z0-9+.-]*:/i.test(target)) {
      problems.push(`${rel}: leaves the repository: ${target}`);
      continue;
    }
    const [path, anchor] = target.split('#');
    const dest = path === '' ? file : resolve(dirname(file), decodeURIComponent(path));
    if (!dest.startsWith(root)) {
      problems.push(`${rel}: leaves the repository: ${target}`);
      continue;
    }
    if (!existsSync(dest)) {
      problems.push(`${rel}: missing: ${target}`);
      continue;
    }
    if (anchor !== undefined && statSync(dest).isFile() && dest.endsWith('.md') && !slugs(dest).has(anchor)) {
      problems.push(`${rel}: no heading #${anchor} in ${relative(root, dest)}`);
    }
  }
}
for (const p of problems) console.log(p);
console.log(`${files.length} Markdown files, ${checked} links, ${problems.length} problem(s)`);
process.exit(problems.length ? 1 : 0);
