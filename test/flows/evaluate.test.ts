/**
 * `asymflow eval`'s flow against a fault-injecting OpenAI-compatible server on real GC puzzles: transient
 * faults are retried, lasting ones are recorded as failed and counted, the counterfactual continuation is
 * re-attached to the oracle caption and scored as a_r, and every (sample, mode) appears exactly once.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { runEvaluate } from '../../flows/evaluate.ts';
import type { EvalRecord } from '../../src/eval/eval-record.ts';
import { OpenAIPolicy } from '../../src/policy/openai-policy.ts';
import type { Sample } from '../../src/records.ts';
import { Rng } from '../../src/rng.ts';
import { getTask } from '../../src/tasks/registry.ts';
import { imageText, startFakeChatServer, type Action, type ChatRequest, type FakeChatServer } from '../src/policy/fake-chat-server.ts';
import { readAll } from './read-all.ts';

let server: FakeChatServer | undefined;
let dir: string | undefined;
afterEach(async () => {
  await server?.close();
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
  server = dir = undefined;
});

describe('evaluate flow', () => {
  it('retries, records failures, scores counterfactual continuations against p*, and loses nothing', async () => {
    const task = await getTask('gc');
    // The PNG bytes are the sample id: the fake server never decodes images, and keys its script by them.
    const samples: Sample[] = [0, 1, 2, 3, 4, 5].map((i) => {
      const puzzle = task.generate(new Rng(`flow/${i}`), `s${i}`, i, {});
      return { puzzle, png: Buffer.from(`s${i}`), width: 1, height: 1, query: task.query(puzzle) };
    });
    const byId = new Map(samples.map((s) => [s.puzzle.id, s.puzzle]));
    const correct = (id: string) => task.response(byId.get(id)!, {});

    const answer = (r: ChatRequest): Action => {
      const id = r.key;
      const prefix = r.body.continue_final_message ? (r.body.messages.at(-1)!.content as string) : undefined;
      if (prefix !== undefined) {
        // vLLM semantics: the continuation comes back without the assistant prefix.
        expect(prefix).toBe(`<caption>${byId.get(id)!.pStar}</caption>`);
        expect(r.body.add_generation_prompt).toBe(false);
      }
      const full = id === 's1' ? (prefix ? `${prefix}<answer>0:0</answer>` : 'I see a graph.') : correct(id);
      const text = prefix ? full.slice(prefix.length) : full;
      const ok: Action = { kind: 'ok', texts: [text] };
      const first = r.attempt === 1; // the first request for this sample, whichever mode sent it
      switch (id) {
        case 's2':
          return { kind: 'status', status: 500 };
        case 's3':
          return first ? { kind: 'status', status: 429, headers: { 'retry-after': '0' } } : ok;
        case 's4':
          return first ? { kind: 'reset' } : ok;
        case 's5':
          return first ? { kind: 'hang' } : ok;
        default:
          return ok;
      }
    };
    // Attempts are counted per sample across both modes (which may run concurrently): only a sample's very
    // first request meets its fault, so each faulty-once sample costs exactly one extra attempt.
    server = await startFakeChatServer(answer, ['m'], imageText);
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'asymflow-eval-'));
    const extra = path.join(dir, 'extra.msgpack');
    const policy = new OpenAIPolicy({ baseUrl: server.url, timeoutMs: 400, retries: 2, concurrency: 4, backoff: { initialMs: 5, maxMs: 20 } });
    const lines: string[] = [];
    const summary = await runEvaluate({
      policy,
      task,
      samples,
      mode: 'both',
      sampling: { temperature: 0.7, topP: 1, maxTokens: 100, seed: 1, n: 1 },
      batchSize: 6,
      concurrency: 2,
      out: path.join(dir, 'run'),
      record: extra,
      config: { test: true },
      log: (l) => lines.push(l),
    });

    // s2 fails in both modes (3 attempts each); s3, s4, s5 retry their first request once.
    expect(server.attempts.get('s2')).toBe(6);
    expect(server.attempts.get('s3')).toBe(3);
    expect(server.attempts.get('s4')).toBe(3);
    expect(server.attempts.get('s5')).toBe(3);
    expect(server.attempts.get('s0')).toBe(2);

    expect(summary.n).toBe(6);
    expect(summary.records).toBe(12);
    expect(summary.requestFailures).toMatchObject({ total: 2, e2e: 1, counterfactual: 1 });
    expect(Object.keys(summary.requestFailures.reasons)).toEqual(['HTTP 500: injected 500 (after 3 attempts)']);
    expect(summary.a).toMatchObject({ successes: 4, count: 5 }); // s0, s3, s4, s5 right; s1 garbled; s2 failed
    expect(summary.ap).toMatchObject({ successes: 4, count: 5 });
    expect(summary.arCond).toMatchObject({ successes: 4, count: 5 });
    expect(summary.ar).toMatchObject({ successes: 4, count: 5 }); // s1's continuation answers wrongly
    expect(summary.parseFailures).toEqual({ total: 1, e2e: { 'no-caption': 1 }, counterfactual: {} });

    const onDisk = JSON.parse(fs.readFileSync(path.join(dir, 'run', 'summary.json'), 'utf8'));
    expect(onDisk.a).toEqual({ ...summary.a, ci95: [...summary.a.ci95] });
    expect(Object.keys(onDisk)).toEqual(
      expect.arrayContaining(['a', 'ap', 'ar', 'arCond', 'parseFailures', 'requestFailures', 'n', 'mode', 'sampling', 'wallTimeMs']),
    );

    const jsonl = fs
      .readFileSync(path.join(dir, 'run', 'records.jsonl'), 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as EvalRecord);
    const scored = await readAll<EvalRecord>(path.join(dir, 'run', 'scored.msgpack'));
    const recorded = await readAll<EvalRecord>(extra);
    for (const records of [jsonl, scored, recorded]) {
      expect(records.map((r) => `${r.mode}:${r.sampleId}`).sort()).toEqual(
        samples.flatMap((s) => [`e2e:${s.puzzle.id}`, `counterfactual:${s.puzzle.id}`]).sort(),
      );
    }
    const cf0 = jsonl.find((r) => r.mode === 'counterfactual' && r.sampleId === 's0')!;
    expect(cf0.text).toBe(correct('s0')); // continuation re-attached to the oracle caption
    expect(cf0.ar).toBe(1);
    expect(jsonl.find((r) => r.sampleId === 's2')!.failed).toMatch(/HTTP 500/);
    expect(lines.some((l) => l.startsWith('a_r'))).toBe(true);
  });
});
