/**
 * Provenance names the asymflow build, not the directory it runs in: an asymflow copy inside a user's git
 * repository (node_modules/asymflow) gets no commit from that repository.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { buildInfo, checkoutCommit, createdBy, packageRoot } from '../../src/build-info.ts';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'asymflow-build-info-'));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));
const git = (cwd: string, ...args: string[]) =>
  execFileSync('git', args, { cwd, stdio: ['ignore', 'pipe', 'ignore'] })
    .toString()
    .trim();
const root = path.resolve(import.meta.dirname, '..', '..');
const inGit = (() => {
  try {
    return git(root, 'rev-parse', '--show-toplevel') !== '';
  } catch {
    return false;
  }
})();

describe('build info', () => {
  it('finds the package root and its version', () => {
    expect(packageRoot()).toBe(root);
    expect(buildInfo().version).toBe(JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8')).version);
  });

  it.runIf(inGit && !process.env.ASYMFLOW_COMMIT)("takes the commit of asymflow's own checkout", () => {
    expect(buildInfo().commit).toBe(git(root, 'rev-parse', 'HEAD'));
    expect(createdBy()).toBe(`asymflow version ${buildInfo().version} (build ${git(root, 'rev-parse', 'HEAD').slice(0, 12)})`);
  });

  it("does not take a user's repository's commit for a copy installed inside it", () => {
    const user = path.join(tmp, 'user-project');
    const installed = path.join(user, 'node_modules', 'asymflow');
    fs.mkdirSync(installed, { recursive: true });
    fs.writeFileSync(path.join(installed, 'package.json'), '{"name":"asymflow","version":"0.0.0"}');
    git(user, 'init', '-q');
    git(user, '-c', 'user.name=u', '-c', 'user.email=u@example.com', 'commit', '-q', '--allow-empty', '-m', 'user work');
    expect(checkoutCommit(user)).toBe(git(user, 'rev-parse', 'HEAD'));
    expect(checkoutCommit(installed)).toBeNull();
  });
});
