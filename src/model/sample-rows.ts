/**
 * The per-row bookkeeping of one sample() call, shared by the tfjs-op decode loop and the webgpu one
 * (webgpu-decode.ts), so both stop rows and feed the cache the same way: a row stops at `</answer>`, at EOS
 * or at its token limit; after its prompt it writes token n at text position len + n and cache slot
 * P + position, both clamped (finished rows keep repeating a harmless, ignored step).
 */
import { EOS, TAG_IDS } from '../tokenizer.ts';

export type FinishReason = 'answer' | 'eos' | 'length';

export class SampleRows {
  readonly tokens: number[][];
  readonly logprobs: number[][];
  readonly finish: (FinishReason | undefined)[];

  /**
   * lengths: each row's prompt length; limits: its token cap; prefix: image tokens P; maxText: text
   * positions; capacity: cache slots C.
   */
  constructor(
    private readonly lengths: readonly number[],
    private readonly limits: readonly number[],
    private readonly prefix: number,
    private readonly maxText: number,
    private readonly capacity: number,
  ) {
    this.tokens = lengths.map(() => []);
    this.logprobs = lengths.map(() => []);
    this.finish = lengths.map(() => undefined);
  }

  get size(): number {
    return this.lengths.length;
  }

  /** Appends row i's newest token (ignored once the row has finished) and decides whether it stops. */
  record(i: number, token: number, logprob: number): void {
    if (this.finish[i]) return;
    this.tokens[i].push(token);
    this.logprobs[i].push(logprob);
    if (token === TAG_IDS.answerClose) this.finish[i] = 'answer';
    else if (token === EOS) this.finish[i] = 'eos';
    else if (this.tokens[i].length >= this.limits[i]) this.finish[i] = 'length';
  }

  /** True once every row has stopped. */
  done(): boolean {
    return this.finish.every((f) => f);
  }

  /** Decode step `step`'s inputs: each row's newest token, its text position and its cache slot, [B] each. */
  feed(step: number): { ids: Int32Array; positions: Int32Array; slots: Int32Array } {
    const n = this.size;
    const ids = new Int32Array(n);
    const positions = new Int32Array(n);
    const slots = new Int32Array(n);
    for (let i = 0; i < n; i++) {
      const position = Math.min(this.lengths[i] + step, this.maxText - 1);
      ids[i] = this.tokens[i][this.tokens[i].length - 1];
      positions[i] = position;
      slots[i] = Math.min(this.prefix + position, this.capacity - 1);
    }
    return { ids, positions, slots };
  }
}
