/**
 * Fault suite, bad input and failure reporting (issue 22): each case an adversarial pass found, as a test.
 * Exit codes that tell the truth (eval where every request fails), URLs checked up front, context-length
 * errors not retried, bounded counts, offending values named, failed gen/import keeping the previous shard,
 * p* validated on import, and solve/check's line handling (\n only, EPIPE, time budget, clipped echoes).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { PassThrough, Writable } from 'node:stream';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { runGenerate } from '../../flows/generate.ts';
import { resolveGenConfig } from '../../src/data/gen-config.ts';
import { groundTruthOf } from '../../src/data/ground-truth.ts';
import { HfParquetWriter } from '../../src/data/parquet-write.ts';
import { requestJson } from '../../src/policy/http-retry.ts';
import { resolveRlConfig } from '../../src/rl/rl-config.ts';
import { resolveSftConfig } from '../../src/sft/sft-config.ts';
import { Rng } from '../../src/rng.ts';
import { getTask } from '../../src/tasks/registry.ts';
import { answerLine } from '../../src/tasks/solve-check.ts';
import { evalCommand } from '../../tui/commands/eval.ts';
import { importCommand } from '../../tui/commands/import.ts';
import { solveCheckStream } from '../../tui/commands/solve-check.ts';
import { startFakeChatServer, type FakeChatServer } from '../src/policy/fake-chat-server.ts';

let dir: string;
let server: FakeChatServer | undefined;
beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'asymflow-faults-input-'));
});
afterEach(async () => {
  await server?.close();
  server = undefined;
});
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));
const quiet = () => {};

describe('eval exit codes and URLs', () => {
  it('fails with the count when every request fails (an all-500 server), instead of "a 0.0% (0/0)"', async () => {
    server = await startFakeChatServer(() => ({ kind: 'status', status: 500, body: '{"error":{"message":"boom"}}' }));
    const out = path.join(dir, 'eval-500');
    const flags = { policy: 'openai', baseUrl: server.url, model: 'm', task: 'gc', n: 2, mode: 'e2e', retries: 0, out };
    await expect(evalCommand(flags, quiet)).rejects.toThrow(/^eval: all 2 requests failed \(2× HTTP 500: boom \(after 1 attempts\)\); nothing was measured/);
    expect(fs.existsSync(path.join(out, 'records.jsonl'))).toBe(true); // what failed is still on disk to read
  });

  it('checks the base URL before any request and names it', async () => {
    for (const url of ['notaurl', 'ftp://host/v1']) {
      await expect(evalCommand({ policy: 'openai', baseUrl: url, model: 'm', n: 1, out: path.join(dir, 'never') }, quiet)).rejects.toThrow(
        `base URL must be an http:// or https:// URL (e.g. http://127.0.0.1:8000/v1), got "${url}"`,
      );
    }
    expect(fs.existsSync(path.join(dir, 'never'))).toBe(false);
  });

  it("refuses --record pointed at the run's own scored.msgpack", async () => {
    server = await startFakeChatServer(() => ({ kind: 'ok', texts: ['x'] }));
    const out = path.join(dir, 'eval-self-record');
    const flags = { policy: 'openai', baseUrl: server.url, model: 'm', n: 1, mode: 'e2e', out, record: path.join(out, 'scored.msgpack') };
    await expect(evalCommand(flags, quiet)).rejects.toThrow("is the run's own scored.msgpack");
  });

  it('does not retry a context-length error, whatever status the server gives it', async () => {
    for (const [status, message] of [
      [400, "This model's maximum context length is 1024 tokens"],
      [500, 'prompt is too long for the context window'],
    ] as const) {
      server = await startFakeChatServer(() => ({ kind: 'status', status, body: JSON.stringify({ error: { message } }) }));
      const outcome = await requestJson(
        `${server.url}/v1/chat/completions`,
        { method: 'POST', body: JSON.stringify({ model: 'm', messages: [{ role: 'user', content: 'x' }] }), headers: { 'content-type': 'application/json' } },
        { timeoutMs: 2000, retries: 3, backoff: { initialMs: 1, maxMs: 1, factor: 1, maxRetryAfterMs: 1 } },
        (j) => j,
      );
      expect(outcome).toMatchObject({ ok: false, attempts: 1 });
      await server.close();
      server = undefined;
    }
  });
});

describe('bounded, named option values', () => {
  it('names non-finite values and bounds counts (sft --steps 1e9 used to kill V8)', () => {
    expect(() => resolveSftConfig({ out: 'x', lr: 'Infinity' })).toThrow('sft.lr must be a positive number, got Infinity');
    expect(() => resolveRlConfig({ out: 'x', lr: 'NaN', init: 'i' })).toThrow("rl.lr must be a number, got 'NaN'");
    expect(() => resolveSftConfig({ out: 'x', steps: '10000000000' })).toThrow('sft.steps must be at most 1,000,000,000, got 10000000000');
    expect(() => resolveSftConfig({ out: 'x', batch: '1000000' })).toThrow('sft.batch must be at most 100,000, got 1000000');
    expect(() => resolveSftConfig({ out: 'x', steps: `1${'0'.repeat(400)}` })).toThrow('sft.steps must be a positive integer, got Infinity');
    expect(() => resolveGenConfig({ out: 'x', n: '0' })).toThrow("gen.n must be a positive integer, got 0 (leave --n out for the split's default size, 500)");
  });
});

describe('gen and import keep what exists', () => {
  it('gen refuses an existing shard, and a failing --overwrite run leaves the previous shard byte for byte', async () => {
    const out = path.join(dir, 'data');
    const config = resolveGenConfig({ task: 'gc', split: 'test', n: 2, out, concurrency: 0, parquet: true });
    await runGenerate({ config, taskOptions: {} });
    const shard = path.join(out, 'gc-test.msgpack');
    const before = [fs.readFileSync(shard), fs.readFileSync(path.join(out, 'gc-test.parquet'))];
    await expect(runGenerate({ config, taskOptions: {} })).rejects.toThrow(`gen: ${shard} already exists; pass --overwrite to replace it`);
    await expect(runGenerate({ config: { ...config, overwrite: true }, taskOptions: { inputSize: 100_000 } })).rejects.toThrow();
    expect(fs.readFileSync(shard).equals(before[0])).toBe(true);
    expect(fs.readFileSync(path.join(out, 'gc-test.parquet')).equals(before[1])).toBe(true);
    expect(fs.readdirSync(out).filter((f) => f.startsWith('.'))).toEqual([]); // no temporaries or locks left
  });

  it('import refuses a self-loop or an edge past the node count, and a failed import keeps the previous shard', async () => {
    const task = await getTask('gc');
    const rows = await Promise.all(
      [0, 1, 2].map(async (i) => {
        const puzzle = task.generate(new Rng(`import/${i}`), `gc-test-${i}`, i, {});
        return { puzzle, png: (await task.render(puzzle, {})).png };
      }),
    );
    const write = (file: string, edit?: (i: number, truth: Record<string, unknown>, png: Uint8Array) => [Record<string, unknown>, Uint8Array]) => {
      const writer = new HfParquetWriter(file);
      rows.forEach(({ puzzle, png }, i) => {
        let truth = JSON.parse(groundTruthOf(puzzle)) as Record<string, unknown>;
        let bytes = png;
        if (edit) [truth, bytes] = edit(i, truth, png);
        writer.write({ query: task.query(puzzle), image: { bytes, path: `${i}.png` }, ground_truth: JSON.stringify(truth), response: null });
      });
      writer.close();
      return file;
    };
    const out = path.join(dir, 'imported');
    const good = write(path.join(dir, 'good-test.parquet'));
    await importCommand({ parquet: good, out }, quiet);
    const shard = path.join(out, 'gc-test.msgpack');
    const before = fs.readFileSync(shard);
    await expect(importCommand({ parquet: good, out }, quiet)).rejects.toThrow(`import: ${shard} already exists; pass --overwrite`);

    const selfLoop = write(path.join(dir, 'loop-test.parquet'), (i, t, png) => [i === 1 ? { ...t, perception: '(0,0),(1,2)' } : t, png]);
    await expect(importCommand({ parquet: selfLoop, out, overwrite: true }, quiet)).rejects.toThrow(
      'loop-test.parquet: row 1: perception: self-loop (0,0) at character 0',
    );
    const beyond = write(path.join(dir, 'beyond-test.parquet'), (i, t, png) => [i === 2 ? { ...t, perception: '(0,1),(1,29)' } : t, png]);
    await expect(importCommand({ parquet: beyond, out, overwrite: true }, quiet)).rejects.toThrow(
      /row 2: GC edge \(1,29\) in p\* "\(0,1\),\(1,29\)" names a node beyond the \d nodes/,
    );
    const badImage = write(path.join(dir, 'badimg-test.parquet'), (i, t, png) => [t, i === 2 ? Buffer.from('not a png') : png]);
    await expect(importCommand({ parquet: badImage, out, overwrite: true }, quiet)).rejects.toThrow('row 2: the image (9 bytes, 2.png) cannot be decoded');
    expect(fs.readFileSync(shard).equals(before)).toBe(true);
  });
});

describe('solve and check lines', () => {
  const run = async (verb: 'solve' | 'check', input: string, budgetMs?: number) => {
    const source = new PassThrough();
    source.end(input);
    let text = '';
    const sink = new Writable({ write: (chunk, _enc, done) => ((text += String(chunk)), done()) });
    await solveCheckStream(verb, 'gc', source, sink, budgetMs);
    return text
      .trimEnd()
      .split('\n')
      .map((l) => JSON.parse(l) as Record<string, unknown>);
  };

  it('splits at \\n only: a bare \\r inside JSON is whitespace, a \\r\\n ending is trimmed', async () => {
    const replies = await run('solve', '{"perception":\r"(0,1)"}\n{"perception": "(0,1),(1,2),(0,2)"}\r\n');
    expect(replies).toEqual([
      { chromatic: 2, answer: '0:1,1:2' },
      { chromatic: 3, answer: '0:1,1:2,2:3' },
    ]);
  });

  it('answers a line that outruns its time budget with an error and goes on', async () => {
    const edges: string[] = [];
    for (let i = 0; i < 31; i++) for (let j = i + 1; j < 31; j++) if ((i * 7 + j * 13) % 5 < 3) edges.push(`(${i},${j})`);
    const replies = await run('solve', `${JSON.stringify({ perception: edges.join(',') })}\n{"perception": "(0,1)"}\n`, 200);
    expect(String(replies[0].error)).toMatch(/^line 1: no answer within the time budget \(\d+ search steps\) \(budget 200 ms; raise it with --budget-ms\)$/);
    expect(replies[1]).toEqual({ chromatic: 2, answer: '0:1,1:2' });
  });

  it("clips a long answer in check's reason and in errors (a 10 MB answer came back whole)", () => {
    const long = '0:1,'.repeat(50_000);
    const reason = JSON.parse(answerLine('check', 'gc', JSON.stringify({ perception: '(0,1)', answer: long }), 1)) as { reason: string };
    expect(reason.reason.length).toBeLessThan(1100);
    const error = JSON.parse(answerLine('check', 'gc', JSON.stringify({ perception: '(0,1)', answer: 7, [long]: 1 }), 3)) as { error: string };
    expect(error.error.length).toBeLessThan(1100);
    expect(error.error).toMatch(/^line 3: unknown key '0:1,0:1,.*… \(200,000 characters\)'/);
  });

  it('ends quietly when the reader goes away (EPIPE, as `| head -2`)', async () => {
    const source = new PassThrough();
    source.end('{"perception": "(0,1)"}\n'.repeat(1000));
    let written = 0;
    const sink = new Writable({
      highWaterMark: 1,
      write(_chunk, _enc, done) {
        written++;
        if (written <= 2) return done();
        done(Object.assign(new Error('write EPIPE'), { code: 'EPIPE' }));
      },
    });
    const answered = await solveCheckStream('solve', 'gc', source, sink);
    expect(answered).toBeLessThan(1000);
    expect(written).toBeGreaterThanOrEqual(3);
  });
});
