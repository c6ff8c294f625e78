/**
 * Replay speed: records/s reading N rollout-shaped records (tokens Int32Array(300), logprobs Float32Array(300),
 * ~600-char text, a few numbers) back from our recording format, vs JSON.parse of the same records as JSONL
 * lines read from a file — both streamed from 1 MiB chunks, both measured from warm page cache, best of 3.
 * JSONL is measured twice: bare JSON.parse (arrays stay plain arrays) and with the typed arrays rebuilt,
 * which is what a consumer of the same records needs. Also the `replay` operator (Observable) end to end.
 * Run: npx tsx bench/replay.ts [n=100000]
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { StringDecoder } from 'node:string_decoder';
import { lastValueFrom, count as countOp } from 'rxjs';
import { replay } from '../operators/replay.ts';
import { readRecording, RecordingWriter } from '../src/recording/index.ts';
import { Rng } from '../src/rng.ts';
import { recordToJson } from '../flows/replay.ts';

const n = Number(process.argv[2] ?? 100_000);
const LENGTH = 300;
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'asymflow-bench-replay-'));
const recFile = path.join(dir, 'rollouts.msgpack');
const jsonlFile = path.join(dir, 'rollouts.jsonl');
const ALPHABET = 'abcdefghijklmnopqrstuvwxyz0123456789 ,.-<>/';

function rollout(rng: Rng, i: number) {
  const tokens = new Int32Array(LENGTH);
  const logprobs = new Float32Array(LENGTH);
  let text = '';
  for (let k = 0; k < LENGTH; k++) {
    tokens[k] = Math.floor(rng.next() * 64);
    logprobs[k] = Math.log(rng.next() + 1e-6);
  }
  for (let k = 0; k < 600; k++) text += ALPHABET[tokens[k % LENGTH] % ALPHABET.length];
  return {
    sampleId: `gc-train-${i >> 3}`,
    group: i & 7,
    tokens,
    logprobs,
    text,
    perceptionSpan: [1, 120],
    reasoningSpan: [121, LENGTH],
    a: i % 2,
    ap: i % 3 === 0 ? 1 : 0,
    arCond: 1,
    reward: rng.next(),
  };
}

// write both files, streaming (nothing retained)
{
  const rng = new Rng(2026);
  const writer = RecordingWriter.open(recFile, { kind: 'rollouts', config: { bench: 'replay', n } });
  const jsonl = fs.openSync(jsonlFile, 'w');
  let lines: string[] = [];
  for (let i = 0; i < n; i++) {
    const r = rollout(rng, i);
    writer.write(r);
    lines.push(recordToJson(r));
    if (lines.length === 1000) {
      fs.writeSync(jsonl, `${lines.join('\n')}\n`);
      lines = [];
    }
  }
  if (lines.length) fs.writeSync(jsonl, `${lines.join('\n')}\n`);
  fs.closeSync(jsonl);
  writer.close();
}

async function ours(): Promise<number> {
  let seen = 0;
  let checksum = 0;
  for await (const batch of (await readRecording<{ tokens: Int32Array }>(recFile)).batches()) {
    for (const r of batch) checksum += r.tokens[0];
    seen += batch.length;
  }
  return seen + checksum * 0;
}

async function viaOperator(): Promise<number> {
  return lastValueFrom(replay(recFile).pipe(countOp()));
}

function jsonl(rebuild: boolean): number {
  const fd = fs.openSync(jsonlFile, 'r');
  const chunk = Buffer.allocUnsafe(1 << 20);
  const decoder = new StringDecoder('utf8');
  let rest = '';
  let seen = 0;
  let checksum = 0;
  for (;;) {
    const got = fs.readSync(fd, chunk, 0, chunk.length, null);
    if (got === 0) break;
    const text = rest + decoder.write(chunk.subarray(0, got));
    let start = 0;
    for (let nl = text.indexOf('\n', start); nl !== -1; nl = text.indexOf('\n', start)) {
      const r = JSON.parse(text.slice(start, nl));
      if (rebuild) {
        r.tokens = Int32Array.from(r.tokens);
        r.logprobs = Float32Array.from(r.logprobs);
      }
      checksum += r.tokens[0];
      seen++;
      start = nl + 1;
    }
    rest = text.slice(start);
  }
  fs.closeSync(fd);
  return seen + checksum * 0;
}

async function best(label: string, run: () => number | Promise<number>): Promise<number> {
  let bestSeconds = Infinity;
  for (let trial = 0; trial < 3; trial++) {
    const start = performance.now();
    const seen = await run();
    const seconds = (performance.now() - start) / 1000;
    if (seen !== n) throw new Error(`${label}: read ${seen} records, expected ${n}`);
    bestSeconds = Math.min(bestSeconds, seconds);
  }
  const rate = n / bestSeconds;
  console.log(`${label.padEnd(44)} ${bestSeconds.toFixed(2).padStart(6)} s  ${Math.round(rate).toLocaleString('en-US').padStart(9)} records/s`);
  return rate;
}

const mib = (file: string) => (fs.statSync(file).size / (1 << 20)).toFixed(0);
console.log(`${n.toLocaleString('en-US')} rollout records (300 tokens, 300 log-probs, 600 chars); node ${process.version}, ${os.cpus().length} CPUs`);
console.log(`files: recording ${mib(recFile)} MiB, JSONL ${mib(jsonlFile)} MiB`);
const oursRate = await best('asymflow recording (readRecording batches)', ours);
const operatorRate = await best('asymflow replay() operator', viaOperator);
const jsonRate = await best('JSONL + JSON.parse', () => jsonl(false));
const jsonTypedRate = await best('JSONL + JSON.parse + typed arrays rebuilt', () => jsonl(true));
console.log(
  `ratio: recording / JSON.parse = ${(oursRate / jsonRate).toFixed(1)}x; vs JSON.parse + typed arrays = ${(oursRate / jsonTypedRate).toFixed(1)}x; replay() / JSON.parse = ${(operatorRate / jsonRate).toFixed(1)}x`,
);
fs.rmSync(dir, { recursive: true, force: true });
