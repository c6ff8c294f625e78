/**
 * The per-row bookkeeping of one sample() call, shared by the tfjs-op decode loop and the webgpu one
 * (src/webgpu/decode.ts), so both stop rows and feed the cache the same way: a row stops at `</answer>`, at EOS,
 * when its text completes a stop string (checked as each token arrives, so a stopped row costs no further
 * steps and counts only the tokens it produced) or at its token limit; after its prompt it writes token n at
 * text position len + n and cache slot P + position, both clamped (finished rows keep repeating a harmless,
 * ignored step).
 */
import { decode, EOS, TAG_IDS } from '../tokenizer.ts';

export type FinishReason = 'answer' | 'eos' | 'stop' | 'length';

/** One candidate token at a step, with its untempered log-probability. */
export interface TokenLogprob {
  readonly token: number;
  readonly logprob: number;
}

export class SampleRows {
  readonly tokens: number[][];
  readonly logprobs: number[][];
  readonly finish: (FinishReason | undefined)[];
  readonly stopString: (string | undefined)[]; // the stop string a 'stop' row completed
  readonly top: TokenLogprob[][][]; // per row and step, the most likely tokens when asked for
  private readonly texts: string[];

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
    private readonly stop: readonly string[] = [],
  ) {
    this.tokens = lengths.map(() => []);
    this.logprobs = lengths.map(() => []);
    this.finish = lengths.map(() => undefined);
    this.stopString = lengths.map(() => undefined);
    this.top = lengths.map(() => []);
    this.texts = lengths.map(() => '');
  }

  get size(): number {
    return this.lengths.length;
  }

  /** Appends row i's newest token (ignored once the row has finished) and decides whether it stops. */
  record(i: number, token: number, logprob: number, top?: TokenLogprob[]): void {
    if (this.finish[i]) return;
    this.tokens[i].push(token);
    this.logprobs[i].push(logprob);
    if (top) this.top[i].push(top);
    const stopString = this.completedStop(i, token);
    if (token === TAG_IDS.answerClose) this.finish[i] = 'answer';
    else if (token === EOS) this.finish[i] = 'eos';
    else if (stopString !== undefined) {
      this.finish[i] = 'stop';
      this.stopString[i] = stopString;
    } else if (this.tokens[i].length >= this.limits[i]) this.finish[i] = 'length';
  }

  /** The stop string that row i's text completes with `token`, if any (only the new tail is searched). */
  private completedStop(i: number, token: number): string | undefined {
    if (this.stop.length === 0) return undefined;
    const before = this.texts[i].length;
    this.texts[i] += decode([token]);
    let found: { at: number; stop: string } | undefined;
    for (const s of this.stop) {
      const at = this.texts[i].indexOf(s, Math.max(0, before - s.length + 1));
      if (at >= 0 && (!found || at < found.at)) found = { at, stop: s };
    }
    return found?.stop;
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
