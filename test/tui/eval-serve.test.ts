/**
 * The `eval` and `serve` verbs end to end: a tiny checkpoint on disk, `serve` on a free port, then `eval`
 * through it over HTTP and `eval` in process give the same per-sample records at temperature 0 (`--image
 * pixels` renders at the input size serve lists, so the model reads the same pixels both ways).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { saveCheckpoint } from '../../src/model/checkpoint.ts';
import { modelConfig } from '../../src/model/config.ts';
import { createVlm, disposeVlm } from '../../src/model/vlm.ts';
import { evalCommand } from '../../tui/commands/eval.ts';
import { readTaskOptions } from '../../tui/commands/task-flags.ts';
import { serveCommand } from '../../tui/commands/serve.ts';
import { buildProgram } from '../../tui/cli.ts';
import { RecordingWriter } from '../../src/recording/index.ts';
import { Rng } from '../../src/rng.ts';
import { getTask } from '../../src/tasks/registry.ts';
import type { Sample } from '../../src/records.ts';

let dir: string;
let checkpoint: string;

beforeAll(async () => {
  await tf.setBackend('cpu');
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'asymflow-eval-cli-'));
  checkpoint = path.join(dir, 'ckpt');
  const model = createVlm(modelConfig('tiny', { d: 32, layers: 1, initStd: 0.3 }), 2); // output depends on the image
  await saveCheckpoint(checkpoint, { model });
  disposeVlm(model);
});
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

/** A run's records without token counts (the HTTP API does not carry them per choice), in a fixed order. */
const records = (run: string) =>
  fs
    .readFileSync(path.join(run, 'records.jsonl'), 'utf8')
    .trim()
    .split('\n')
    .map((l) => {
      const { tokens: _tokens, ...rest } = JSON.parse(l) as { sampleId: string; mode: string; text: string; tokens?: number };
      return rest;
    })
    .sort((x, y) => `${x.sampleId}${x.mode}`.localeCompare(`${y.sampleId}${y.mode}`));

describe('asymflow eval / serve', () => {
  it('evaluating through serve over HTTP equals evaluating in process', async () => {
    const quiet = () => {};
    const server = await serveCommand({ checkpoint, port: 0, backend: 'cpu', name: 'tiny' }, quiet);
    try {
      const common = { task: 'gc', n: '2', temperature: '0', maxTokens: '8', seed: '4', mode: 'both' };
      const served = await evalCommand({ ...common, policy: 'openai', baseUrl: server.url, image: 'pixels', out: path.join(dir, 'served') }, quiet);
      const local = await evalCommand({ ...common, policy: 'tfjs', checkpoint, backend: 'cpu', out: path.join(dir, 'local') }, quiet);
      expect(served.policy).toBe(`openai:tiny@${server.url}/v1`);
      expect(served.requestFailures.total).toBe(0);
      expect(served.records).toBe(4);
      expect(records(path.join(dir, 'served'))).toEqual(records(path.join(dir, 'local')));
      const summary = JSON.parse(fs.readFileSync(path.join(dir, 'local', 'summary.json'), 'utf8'));
      expect(summary).toMatchObject({ n: 2, mode: 'both', sampling: { temperature: 0, topP: 1, maxTokens: 8, seed: 4, n: 1 } });
      expect(summary.ar.count).toBe(2);
      await expect(
        evalCommand(
          { ...common, policy: 'openai', baseUrl: server.url, image: 'pixels', taskOption: ['inputSize=144'], out: path.join(dir, 'mismatch') },
          quiet,
        ),
      ).rejects.toThrow(
        `eval: --task-option inputSize=144 differs from the served model's input size 72 (${server.url}); --image pixels sends the model input`,
      );
    } finally {
      await server.close();
    }
  });

  it('evaluates Sudoku on both test views, held-out and training handwriting, and says the measured overlap', async () => {
    const lines: string[] = [];
    const out = path.join(dir, 'sudoku-views');
    await evalCommand(
      { task: 'sudoku', policy: 'tfjs', checkpoint, backend: 'cpu', split: 'test', n: '1', temperature: '0', maxTokens: '4', mode: 'e2e', out },
      (l) => lines.push(l),
    );
    const headers = lines.filter((l) => /^eval: test/.test(l));
    expect(headers).toHaveLength(2);
    expect(headers[0]).toMatch(
      /^eval: test \(held-out test handwriting\); content overlap test\[0,1\) × train_sft\[0,500\): 0, test\[0,1\) × train_rl\[0,500\): 0$/,
    );
    expect(headers[1]).toMatch(
      /^eval: test_seen_glyphs \(training handwriting\); content overlap test_seen_glyphs\[0,1\) × test\[0,500\): 0, .*val\[0,500\): 0, .*train_rl\[0,500\): 0$/,
    );
    const view = JSON.parse(fs.readFileSync(path.join(out, 'test_seen_glyphs', 'summary.json'), 'utf8'));
    expect(view.n).toBe(1);
    expect(JSON.parse(fs.readFileSync(path.join(out, 'test_seen_glyphs', 'config.json'), 'utf8')).config.eval.split).toBe('test_seen_glyphs');
  });

  it('evaluates the first n samples of a dataset written as a samples recording (--data)', async () => {
    const task = await getTask('gc');
    const data = path.join(dir, 'data');
    fs.mkdirSync(data);
    const write = async (file: string, inputSize: number, count: number) => {
      const writer = RecordingWriter.open(path.join(data, file), { kind: 'samples' });
      for (let i = 0; i < count; i++) {
        const puzzle = task.generate(new Rng(`data/${i}`), `gc-test-${i}`, i, {});
        const sample: Sample = { puzzle, ...(await task.render(puzzle, { inputSize })), query: task.query(puzzle) };
        writer.write(sample);
      }
      writer.close();
    };
    await write('gc-test.msgpack', 72, 3);
    const lines: string[] = [];
    const summary = await evalCommand(
      {
        policy: 'tfjs',
        checkpoint,
        backend: 'cpu',
        data,
        split: 'test',
        n: '5',
        temperature: '0',
        maxTokens: '4',
        mode: 'e2e',
        out: path.join(dir, 'from-data'),
      },
      (l) => lines.push(l),
    );
    expect(summary.n).toBe(3);
    expect(summary.a.count).toBe(3);
    expect(lines).toContain('eval: the dataset holds only 3 gc test samples; evaluated all of them');
    expect(records(path.join(dir, 'from-data')).map((r) => r.sampleId)).toEqual(['gc-test-0', 'gc-test-1', 'gc-test-2']);

    await write('gc-train_rl.msgpack', 144, 1); // the wrong input size for this checkpoint
    await expect(
      evalCommand({ policy: 'tfjs', checkpoint, backend: 'cpu', data, split: 'train_rl', n: '1', out: path.join(dir, 'bad-data') }, () => {}),
    ).rejects.toThrow(`${path.join(data, 'gc-train_rl.msgpack')}: row 0 (gc-test-0) has 144×144 model-input pixels; the checkpoint takes 72×72`);
    await expect(
      evalCommand({ policy: 'tfjs', checkpoint, backend: 'cpu', data, split: 'train_sft', n: '1', out: path.join(dir, 'no-data') }, () => {}),
    ).rejects.toThrow(`eval: no dataset file ${path.join(data, 'gc-train_sft.msgpack')}`);
  });

  it('rejects bad flags with exact messages', async () => {
    await expect(evalCommand({ out: path.join(dir, 'x') })).rejects.toThrow(
      'eval needs --checkpoint DIR (our model) or --policy openai --base-url URL (an endpoint)',
    );
    await expect(evalCommand({ policy: 'openai', out: path.join(dir, 'x') })).rejects.toThrow('eval.baseUrl is required with --policy openai (--base-url URL)');
    await expect(evalCommand({ checkpoint, mode: 'all', out: path.join(dir, 'x') })).rejects.toThrow(
      'eval.mode must be one of e2e, counterfactual, both, got "all"',
    );
    await expect(evalCommand({ checkpoint, temperature: 'warm', out: path.join(dir, 'x') })).rejects.toThrow("eval.temperature must be a number, got 'warm'");
    await expect(serveCommand({ checkpoint, port: 'x' })).rejects.toThrow("serve.port must be a number, got 'x'");
    await expect(readTaskOptions('eval', 'gc', ['layout'])).rejects.toThrow("eval: --task-option must be KEY=VALUE, got 'layout'");
    expect(await readTaskOptions('eval', 'gc', ['layout=spring', 'max-nodes=8', 'gc.verbosity=1'])).toEqual({ layout: 'spring', maxNodes: 8, verbosity: 1 });
    // typed by the task's own defaults: a key or value the task cannot take is refused at the border, naming task, key and value
    await expect(readTaskOptions('eval', 'gc', ['maxNodes=many'])).rejects.toThrow("gc.maxNodes must be a number, got 'many'");
    await expect(readTaskOptions('eval', 'gc', ['blanks=30'])).rejects.toThrow("unknown option 'gc.blanks'; known: minNodes");
    await expect(readTaskOptions('eval', 'gc', ['sudoku.blanks=30'])).rejects.toThrow('eval: --sudoku.* options given but --task is gc');
    expect(await readTaskOptions('diagnose', '', ['sudoku.blanks=30'])).toEqual({ blanks: 30 }); // a recording's task: the prefix names it
    await expect(readTaskOptions('diagnose', '', ['blanks=30'])).rejects.toThrow('diagnose: --task-option blanks=30 needs --task');
  });

  it('registers both verbs on the command line', () => {
    const names = buildProgram().commands.map((c) => c.name());
    expect(names).toEqual(expect.arrayContaining(['eval', 'serve']));
  });
});
