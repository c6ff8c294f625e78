import { describe, expect, it } from 'vitest';
import { SampleRows } from '../../../src/model/sample-rows.ts';
import { decodeOnGpu, pickToken, type GpuSteps } from '../../../src/model/sample.ts';
import { Rng } from '../../../src/rng.ts';
import { encode, EOS, TAG_IDS } from '../../../src/tokenizer.ts';

describe('SampleRows', () => {
  // Prompts of 3 and 5 tokens, caps 4 and 2, 10 image tokens, 8 text positions, 16 cache slots.
  const rows = () => new SampleRows([3, 5], [4, 2], 10, 8, 16);

  it('stops a row at </answer>, at EOS or at its cap, and ignores tokens after that', () => {
    const r = rows();
    r.record(0, 40, -1);
    r.record(1, 40, -2);
    expect(r.done()).toBe(false);
    r.record(1, 41, -3); // second token: row 1's cap
    expect(r.finish).toEqual([undefined, 'length']);
    r.record(1, 42, -4); // ignored
    expect(r.tokens[1]).toEqual([40, 41]);
    r.record(0, TAG_IDS.answerClose, -0.5);
    expect(r.finish).toEqual(['answer', 'length']);
    expect(r.done()).toBe(true);
    expect(r.logprobs).toEqual([
      [-1, -0.5],
      [-2, -3],
    ]);
    const e = rows();
    e.record(0, EOS, -1);
    expect(e.finish[0]).toBe('eos');
  });

  it('stops a row once its text completes a stop string, also one spread over tokens, before its cap', () => {
    const r = new SampleRows([3, 3], [10, 10], 10, 32, 64, ['ab', '</answer>x']);
    for (const t of encode('xa')) r.record(0, t, -1);
    for (const t of encode('zzz')) r.record(1, t, -1);
    expect(r.finish).toEqual([undefined, undefined]);
    r.record(0, encode('b')[0]!, -1); // 'xab' completes 'ab' across two tokens
    expect(r.finish[0]).toBe('stop');
    expect(r.stopString[0]).toBe('ab');
    expect(r.tokens[0]).toHaveLength(3); // only the tokens produced
    r.record(1, TAG_IDS.answerClose, -1); // the stop token comes first
    expect(r.finish[1]).toBe('answer');
  });

  it('feeds each row its newest token at position len + step and slot P + position, clamped', () => {
    const r = rows();
    r.record(0, 4, 0);
    r.record(1, 6, 0);
    expect(r.feed(0)).toEqual({ ids: Int32Array.of(4, 6), positions: Int32Array.of(3, 5), slots: Int32Array.of(13, 15) });
    r.record(0, 5, 0);
    // step 3: row 0 at 6, row 1 clamped to text position 7 and slot C − 1 = 15.
    expect(r.feed(3)).toEqual({ ids: Int32Array.of(5, 6), positions: Int32Array.of(6, 7), slots: Int32Array.of(15, 15) });
  });
});

describe('decodeOnGpu (the webgpu loop, against a CPU stand-in for the decoder)', () => {
  const [b, vocab] = [6, 12];
  const lp = (pick: number, row: number): Float64Array => {
    // Fixed logits per (pick, row), EOS growing likelier so rows stop at different picks.
    const r = new Rng(`z${pick}/${row}`);
    const z = Array.from({ length: vocab }, (_, v) => 2 * r.normal() + (v === EOS ? 0.15 * pick - 1 : 0));
    const max = Math.max(...z);
    const lse = max + Math.log(z.reduce((a, x) => a + Math.exp(x - max), 0));
    return Float64Array.from(z, (x) => x - lse);
  };

  /** Picks like the GPU: pick n from the logits of step n with the uniforms last queued for it. */
  class Stand {
    readonly rands: Float32Array[] = [];
    maxAhead = 0;
    reads = 0;
    constructor(
      private readonly temperature: number,
      private readonly topP: number,
    ) {}
    submitFirst(rands: Float32Array): void {
      this.rands.push(rands);
    }
    submitStep(_feed: unknown, rands: Float32Array): void {
      this.rands.push(rands);
      this.maxAhead = Math.max(this.maxAhead, this.rands.length - this.reads);
    }
    repick(rands: Float32Array): void {
      this.rands[this.rands.length - 1] = rands;
    }
    async read(n: number) {
      this.reads = n + 1;
      const tokens = new Int32Array(b);
      const logprobs = new Float32Array(b);
      for (let i = 0; i < b; i++) {
        const l = lp(n, i);
        tokens[i] = pickToken(l, this.temperature, this.topP, { next: () => this.rands[n][i] } as Rng);
        logprobs[i] = l[tokens[i]];
      }
      return { tokens, logprobs };
    }
  }

  for (const temperature of [0, 0.8]) {
    it(`gives pickToken's tokens from the same seed, queued a step ahead (T = ${temperature})`, async () => {
      const limits = [30, 30, 5, 30, 30, 1];
      const rows = new SampleRows(
        limits.map(() => 3),
        limits,
        4,
        64,
        80,
      );
      const stand = new Stand(temperature, 0.9);
      await decodeOnGpu(stand as unknown as GpuSteps, rows, { temperature, rng: new Rng(9) });
      // Reference: pickToken per unfinished row, in row order, from one Rng (the tfjs-op loop's order).
      const want = new SampleRows(
        limits.map(() => 3),
        limits,
        4,
        64,
        80,
      );
      const rng = new Rng(9);
      for (let n = 0; !want.done(); n++) {
        for (let i = 0; i < b; i++) {
          if (want.finish[i]) continue;
          const l = lp(n, i);
          const token = pickToken(l, temperature, 0.9, { next: () => Math.fround(rng.next()) } as Rng);
          want.record(i, token, l[token]);
        }
      }
      expect(rows.tokens).toEqual(want.tokens);
      expect(rows.finish).toEqual(want.finish);
      expect(new Set(want.finish).size).toBeGreaterThan(1); // rows stopped for different reasons, at different picks
      expect(stand.maxAhead).toBe(2); // the next step was always queued before reading
    });
  }
});
