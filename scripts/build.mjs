#!/usr/bin/env node
/**
 * Builds the package into dist/ (run by `npm run build` and by `npm pack`/`npm publish` through prepack;
 * postpack runs it with --clean, so a checkout never keeps a dist/ that would shadow its sources):
 *
 * 1. tsc -p tsconfig.build.json: JavaScript and .d.ts for api/, src/, operators/, flows/, tui/;
 * 2. relative `.ts`/`.tsx` specifiers in the .d.ts files rewritten to `.js` (tsc rewrites them in the
 *    JavaScript only), so a consumer's tsc resolves them without allowImportingTsExtensions;
 * 3. the worker shims (*.mjs, loaded by file URL, not compiled) copied beside their workers;
 * 4. dist/build-info.json: the version and the commit this build was made from (src/build-info.ts reads it
 *    when running from dist/), from ASYMFLOW_COMMIT or the checkout's git HEAD.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.dirname(path.dirname(fileURLToPath(import.meta.url)));
const dist = path.join(root, 'dist');
fs.rmSync(dist, { recursive: true, force: true });
if (process.argv.includes('--clean')) process.exit(0);

const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
execFileSync(process.execPath, [tsc, '-p', path.join(root, 'tsconfig.build.json')], { stdio: ['ignore', 2, 2], cwd: root }); // stdout stays npm pack --json's

function* files(dir) {
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) yield* files(full);
    else yield full;
  }
}

const relativeTs = /((?:from|import)\s*\(?\s*['"])(\.{1,2}\/[^'"]*?)\.tsx?(['"])/g;
for (const file of files(dist)) {
  if (!file.endsWith('.d.ts')) continue;
  const text = fs.readFileSync(file, 'utf8');
  const rewritten = text.replace(relativeTs, '$1$2.js$3');
  if (rewritten !== text) fs.writeFileSync(file, rewritten);
}

for (const dir of ['src', 'operators']) {
  for (const file of files(path.join(root, dir))) {
    if (!file.endsWith('.mjs')) continue;
    const target = path.join(dist, path.relative(root, file));
    fs.mkdirSync(path.dirname(target), { recursive: true });
    fs.copyFileSync(file, target);
  }
}

function commit() {
  if (process.env.ASYMFLOW_COMMIT) return process.env.ASYMFLOW_COMMIT;
  try {
    const top = execFileSync('git', ['rev-parse', '--show-toplevel'], { cwd: root, stdio: ['ignore', 'pipe', 'ignore'] })
      .toString()
      .trim();
    if (fs.realpathSync(top) !== fs.realpathSync(root)) return null;
    const head = execFileSync('git', ['rev-parse', 'HEAD'], { cwd: root, stdio: ['ignore', 'pipe', 'ignore'] })
      .toString()
      .trim();
    const dirty = execFileSync('git', ['status', '--porcelain', '--untracked-files=no'], { cwd: root, stdio: ['ignore', 'pipe', 'ignore'] })
      .toString()
      .trim();
    return dirty ? `${head}-dirty` : head;
  } catch {
    return null;
  }
}
const { version } = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8'));
fs.writeFileSync(path.join(dist, 'build-info.json'), `${JSON.stringify({ version, commit: commit() }, null, 2)}\n`);
console.error(`asymflow ${version}: built dist/ (commit ${commit() ?? 'unknown'})`);
