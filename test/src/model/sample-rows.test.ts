import { describe, expect, it } from 'vitest';
import { SampleRows } from '../../../src/model/sample-rows.ts';
import { EOS, TAG_IDS } from '../../../src/tokenizer.ts';

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
    expect(r.logprobs).toEqual([[-1, -0.5], [-2, -3]]);
    const e = rows();
    e.record(0, EOS, -1);
    expect(e.finish[0]).toBe('eos');
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
