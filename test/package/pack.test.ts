/**
 * asymflow as an installed package: `npm pack` (prepack builds dist/) on a copy of this working tree, the
 * tarball installed into a fresh npm project (from the npm cache, the registry only for what it lacks), an
 * example that imports `asymflow` type-checked with a standard tsconfig and run with plain node, and the CLI
 * run from the built files. The copy keeps the build out of this checkout, where a dist/ would shadow the
 * sources other tests run.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const root = path.resolve(import.meta.dirname, '..', '..');
const pkg = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8')) as { version: string; devDependencies: Record<string, string> };
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'asymflow-pack-'));
const project = path.join(tmp, 'user-project');
const COMMIT = 'feedc0de'.repeat(5); // what the build is told it was made from (ASYMFLOW_COMMIT)
let tarball: string;

const run = (cwd: string, command: string, args: string[], env: Record<string, string> = {}) =>
  execFileSync(command, args, { cwd, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'], maxBuffer: 64 << 20 }).toString();

beforeAll(() => {
  // A copy of the working tree (tracked and new files, not ignored ones) with this checkout's node_modules.
  const copy = path.join(tmp, 'asymflow');
  const files = run(root, 'git', ['ls-files', '-z', '--cached', '--others', '--exclude-standard'])
    .split('\0')
    .filter((f) => f && fs.lstatSync(path.join(root, f), { throwIfNoEntry: false })?.isFile()); // not a node_modules link
  for (const file of files) {
    fs.mkdirSync(path.dirname(path.join(copy, file)), { recursive: true });
    fs.copyFileSync(path.join(root, file), path.join(copy, file));
  }
  fs.symlinkSync(path.join(root, 'node_modules'), path.join(copy, 'node_modules'));
  const packed = JSON.parse(run(copy, 'npm', ['pack', '--json', '--pack-destination', tmp], { ASYMFLOW_COMMIT: COMMIT })) as { filename: string }[];
  tarball = path.join(tmp, packed[0]!.filename);
  expect(fs.existsSync(path.join(copy, 'dist'))).toBe(false); // postpack removed the build

  fs.mkdirSync(project);
  fs.writeFileSync(path.join(project, 'package.json'), JSON.stringify({ name: 'user-project', private: true, type: 'module' }));
  const dev = pkg.devDependencies;
  run(project, 'npm', [
    'install',
    '--prefer-offline',
    '--no-audit',
    '--no-fund',
    '--ignore-scripts',
    tarball,
    `typescript@${dev.typescript}`,
    `@types/node@${dev['@types/node']}`,
  ]);
}, 900_000);
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }), 300_000); // the install is large

describe('the packed package', () => {
  it('holds the built JavaScript, declarations, LICENSE and README, not the TypeScript sources', () => {
    const listing = run(tmp, 'tar', ['-tzf', tarball]).split('\n').filter(Boolean);
    expect(listing).toEqual(
      expect.arrayContaining([
        'package/LICENSE',
        'package/README.md',
        'package/bin/asymflow.js',
        'package/dist/api/index.js',
        'package/dist/api/index.d.ts',
        'package/dist/build-info.json',
        'package/dist/src/rl/score-worker.mjs',
      ]),
    );
    expect(listing.filter((f) => /\.tsx?$/.test(f) && !f.endsWith('.d.ts'))).toEqual([]);
    expect(listing.filter((f) => f.startsWith('package/test/') || f.startsWith('package/bench/'))).toEqual([]);
  });

  it('type-checks an example importing `asymflow` with a standard tsconfig and runs it with plain node', () => {
    fs.copyFileSync(path.join(root, 'examples', 'custom-flow.ts'), path.join(project, 'custom-flow.ts'));
    fs.writeFileSync(
      path.join(project, 'tsconfig.json'),
      JSON.stringify({
        compilerOptions: {
          target: 'ES2022',
          module: 'NodeNext',
          moduleResolution: 'NodeNext',
          strict: true,
          noUncheckedIndexedAccess: true,
          skipLibCheck: true,
          types: ['node'],
          outDir: 'out',
        },
        files: ['custom-flow.ts'],
      }),
    );
    run(project, process.execPath, [path.join(project, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', '.']);
    const out = path.join(project, 'rewarded.msgpack');
    const result = JSON.parse(run(project, process.execPath, [path.join(project, 'out', 'custom-flow.js'), out])) as Record<string, any>;
    expect(result).toMatchObject({
      puzzles: 20,
      recorded: 20,
      build: { version: pkg.version, commit: COMMIT },
      header: { version: pkg.version, commit: COMMIT },
    });
    expect(result.meanReward).toBeGreaterThanOrEqual(0.5); // the even half answers with its own solution
    expect(result.meanReward).toBeLessThan(1); // a neighbour's colouring rarely fits

    // a type error in user code is reported against our declarations
    fs.writeFileSync(path.join(project, 'wrong.ts'), "import { getTask } from 'asymflow';\nconst n: number = await getTask('gc');\nexport { n };\n");
    const wrong = spawnSync(
      process.execPath,
      [
        path.join(project, 'node_modules', 'typescript', 'bin', 'tsc'),
        '--noEmit',
        '--module',
        'NodeNext',
        '--target',
        'ES2022',
        '--strict',
        '--skipLibCheck',
        'wrong.ts',
      ],
      { cwd: project },
    );
    expect(wrong.status).not.toBe(0);
    expect(wrong.stdout.toString()).toMatch(/Type 'Task' is not assignable to type 'number'/);
  });

  it('imports every documented subpath in plain node', () => {
    const script =
      "for (const p of ['asymflow','asymflow/tasks','asymflow/flows','asymflow/operators','asymflow/policies','asymflow/recording','asymflow/metrics']) { const m = await import(p); console.log(p, Object.keys(m).length); }";
    const lines = run(project, process.execPath, ['--input-type=module', '-e', script]).trim().split('\n');
    expect(lines).toHaveLength(7);
    for (const line of lines) expect(Number(line.split(' ')[1])).toBeGreaterThan(2);
  });

  it('runs the CLI from the built files', () => {
    const bin = path.join(project, 'node_modules', 'asymflow', 'bin', 'asymflow.js');
    const solved = spawnSync(process.execPath, [bin, 'solve', '--task', 'gc'], { cwd: project, input: '{"perception": "(0,1),(1,2),(0,2)"}\n' });
    expect(solved.stderr.toString()).toBe('');
    expect(JSON.parse(solved.stdout.toString())).toMatchObject({ chromatic: 3 });
    // gen on a one-thread pool: the worker shim loads the compiled worker, without tsx
    const gen = spawnSync(process.execPath, [bin, 'gen', '--task', 'gc', '--split', 'test', '--n', '2', '--concurrency', '1', '--out', 'data'], {
      cwd: project,
    });
    expect(gen.status, gen.stderr.toString()).toBe(0);
    expect(fs.statSync(path.join(project, 'data', 'gc-test.msgpack')).size).toBeGreaterThan(1000);
  });
});
