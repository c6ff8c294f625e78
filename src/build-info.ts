/**
 * Which asymflow wrote a file: the package version and the commit of the asymflow build — never of the
 * directory a user runs it in (their own repository must not be stamped on our data).
 *
 * The commit comes from, in order: ASYMFLOW_COMMIT (a bundle run elsewhere, bench/device-pack.sh, names the
 * commit it was built from); when running from the built package, `dist/build-info.json`, written by its build
 * (scripts/build.mjs); from the sources, `git rev-parse HEAD` of asymflow's own checkout, only when the package
 * root is that repository's top level (a copy under a user's node_modules is not). Else null.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export interface BuildInfo {
  readonly version: string | null; // package.json's version
  readonly commit: string | null; // a commit id (ASYMFLOW_COMMIT may add -dirty), or null when unknown
}

/** The directory of asymflow's package.json, found upwards from this module (sources or dist/). */
export function packageRoot(): string | null {
  let dir = path.dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const file = path.join(dir, 'package.json');
    try {
      if ((JSON.parse(fs.readFileSync(file, 'utf8')) as { name?: string }).name === 'asymflow') return dir;
    } catch {
      // no package.json here (or not JSON): keep going up
    }
    const parent = path.dirname(dir);
    if (parent === dir) return null;
    dir = parent;
  }
}

function readJson(file: string): Record<string, unknown> | null {
  try {
    return JSON.parse(fs.readFileSync(file, 'utf8')) as Record<string, unknown>;
  } catch {
    return null;
  }
}

function git(root: string, args: string[]): string | null {
  try {
    return (
      execFileSync('git', args, { cwd: root, stdio: ['ignore', 'pipe', 'ignore'], timeout: 5000 })
        .toString()
        .trim() || null
    );
  } catch {
    return null;
  }
}

/** HEAD of the git repository whose top level is `root`; null when `root` is inside another repository (or none). */
export function checkoutCommit(root: string): string | null {
  const top = git(root, ['rev-parse', '--show-toplevel']);
  if (!top || fs.realpathSync(top) !== fs.realpathSync(root)) return null;
  return git(root, ['rev-parse', 'HEAD']);
}

let cached: BuildInfo | undefined;

export function buildInfo(): BuildInfo {
  if (cached) return cached;
  const root = packageRoot();
  const version = root ? ((readJson(path.join(root, 'package.json'))?.version as string | undefined) ?? null) : null;
  const fromDist = root !== null && fileURLToPath(import.meta.url).startsWith(path.join(root, 'dist') + path.sep);
  const built = fromDist ? (readJson(path.join(root, 'dist', 'build-info.json'))?.commit as string | undefined) : undefined;
  const commit = process.env.ASYMFLOW_COMMIT || built || (root ? checkoutCommit(root) : null);
  cached = { version, commit };
  return cached;
}

/** The parquet `created_by` string, in parquet-mr's and DuckDB's form: "NAME version V (build COMMIT)". */
export function createdBy(): string {
  const { version, commit } = buildInfo();
  return `asymflow version ${version ?? 'unknown'}${commit ? ` (build ${commit.slice(0, 12)})` : ''}`;
}
