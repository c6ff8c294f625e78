/**
 * Quiet startup and NO_COLOR: without --verbose the tfjs banner stays off stderr (only the `backend:` line
 * is left); --verbose is taken from anywhere on the command line; NO_COLOR takes
 * the colour codes out of the dashboard on a real terminal (a pty from util-linux `script`).
 */
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { hasVulkanLoader } from '../../src/backend/vulkan-loader.ts';
import { applyNoColor, takeVerbose } from '../../tui/terminal-env.ts';

const fixture = (name: string) => fileURLToPath(new URL(`./fixtures/${name}`, import.meta.url));
const root = fileURLToPath(new URL('../..', import.meta.url));

function run(file: string, args: string[], env: Record<string, string | undefined>): Promise<{ stdout: string; stderr: string }> {
  const childEnv: NodeJS.ProcessEnv = {
    ...process.env,
    FORCE_COLOR: undefined,
    NO_COLOR: undefined,
    ASYMFLOW_VERBOSE: undefined,
    ASYMFLOW_BACKEND: undefined,
    ...env,
  };
  for (const key of Object.keys(childEnv)) if (childEnv[key] === undefined) delete childEnv[key];
  return new Promise((resolve, reject) =>
    execFile(file, args, { cwd: root, env: childEnv, timeout: 120_000 }, (error, stdout, stderr) =>
      error ? reject(new Error(`${error.message}\n${stderr}`)) : resolve({ stdout, stderr }),
    ),
  );
}
const tsx = (script: string, args: string[], env: Record<string, string | undefined> = {}) =>
  run(process.execPath, ['--import', 'tsx', fixture(script), ...args], env);

describe('quiet startup', () => {
  it('the cpu backend prints only its backend line; --verbose (ASYMFLOW_VERBOSE=1) brings the tfjs banner back', async () => {
    expect((await tsx('resolve-backend.ts', ['cpu'])).stderr).toBe('backend: cpu (cpu)\n');
    expect((await tsx('resolve-backend.ts', ['cpu'], { ASYMFLOW_VERBOSE: '1' })).stderr).toContain('install our node backend');
  }, 180_000);

  it('webgpu on a machine without a Vulkan loader: no Dawn warning unless --verbose', async () => {
    const quiet = await tsx('resolve-backend.ts', ['webgpu'], { EGL_PLATFORM: 'surfaceless' });
    expect(quiet.stderr).not.toContain("Couldn't load Vulkan");
    expect(quiet.stderr).toMatch(/^backend: webgpu \(.*Dawn opengles\)/m);
    if (!hasVulkanLoader(process.env))
      expect((await tsx('resolve-backend.ts', ['webgpu'], { EGL_PLATFORM: 'surfaceless', ASYMFLOW_VERBOSE: '1' })).stderr).toContain("Couldn't load Vulkan");
  }, 180_000);

  it('--verbose is taken from anywhere before --', () => {
    const env: NodeJS.ProcessEnv = {};
    expect(takeVerbose(['node', 'asymflow', 'sft', '--verbose', '--out', 'x', '--', '--verbose'], env)).toEqual([
      'node',
      'asymflow',
      'sft',
      '--out',
      'x',
      '--',
      '--verbose',
    ]);
    expect(env.ASYMFLOW_VERBOSE).toBe('1');
    const none: NodeJS.ProcessEnv = {};
    expect(takeVerbose(['node', 'asymflow', 'gen'], none)).toEqual(['node', 'asymflow', 'gen']);
    expect(none.ASYMFLOW_VERBOSE).toBeUndefined();
  });

  it('NO_COLOR turns colours off unless FORCE_COLOR says otherwise', () => {
    const env: NodeJS.ProcessEnv = { NO_COLOR: '1' };
    applyNoColor(env);
    expect(env.FORCE_COLOR).toBe('0');
    const forced: NodeJS.ProcessEnv = { NO_COLOR: '1', FORCE_COLOR: '1' };
    applyNoColor(forced);
    expect(forced.FORCE_COLOR).toBe('1');
    const empty: NodeJS.ProcessEnv = { NO_COLOR: '' };
    applyNoColor(empty);
    expect(empty.FORCE_COLOR).toBeUndefined();
  });

  it('the dashboard on a terminal draws colours, and none under NO_COLOR', async () => {
    const sgr = /\x1b\[[0-9;]*m/; // colour and dim codes, not cursor movement
    const onPty = (env: Record<string, string>) =>
      // A user's terminal: CI=true (as CI runs the tests) makes chalk's supports-color draw no colour at all.
      run('script', ['-qec', `node --import tsx ${fixture('dashboard-frame.ts')}`, '/dev/null'], { TERM: 'xterm-256color', CI: undefined, ...env });
    expect((await onPty({})).stdout).toMatch(sgr);
    const plain = (await onPty({ NO_COLOR: '1' })).stdout;
    expect(plain).toContain('step 2/2');
    expect(plain).not.toMatch(sgr);
  }, 180_000);
});
