import { describe, expect, it } from 'vitest';
import { parseResponse } from '../../src/grammar.ts';
import { Rng } from '../../src/rng.ts';

const PIECES = ['<caption>', '</caption>', '<answer>', '</answer>', '<', '>', '/', '(0,1)', '0:1,', '\n', ' ', 'x', '12', '\u00e9', '<caption', 'answer>'];

function randomString(rng: Rng): string {
  let s = '';
  const len = rng.int(12);
  for (let i = 0; i < len; i++) s += rng.pick(PIECES);
  return s;
}

function mutate(rng: Rng, s: string): string {
  const i = rng.int(s.length + 1);
  switch (rng.int(3)) {
    case 0:
      return s.slice(0, i) + s.slice(i + 1 + rng.int(4));
    case 1:
      return s.slice(0, i) + rng.pick(PIECES) + s.slice(i);
    default:
      return s.slice(0, i);
  }
}

describe('parseResponse', () => {
  it('splits a well-formed response', () => {
    const parsed = parseResponse('<caption> (0,1),(1,2) </caption>step 1\n<answer>0:1,1:2,2:1</answer>');
    expect(parsed).toEqual({ ok: true, perception: '(0,1),(1,2)', reasoning: 'step 1\n', answer: '0:1,1:2,2:1' });
  });

  it.each([
    ['', 'empty'],
    ['no tags', 'no-caption'],
    ['<caption>abc', 'unclosed-caption'],
    ['<caption>a</caption>b', 'no-answer'],
    ['<answer>x</answer><caption>a</caption>', 'order'],
    ['<caption>a</caption>b<answer>x', 'unclosed-answer'],
  ])('names the failure for %j', (text, failure) => {
    const parsed = parseResponse(text);
    expect(parsed.ok).toBe(false);
    if (!parsed.ok) expect(parsed.failure).toBe(failure);
  });

  it('keeps the caption when only the answer is broken', () => {
    const parsed = parseResponse('<caption>(0,1)</caption>r<answer>0:1');
    expect(parsed).toEqual({ ok: false, failure: 'unclosed-answer', perception: '(0,1)' });
  });

  it('never throws on 10,000 random and mutated strings, and is consistent', () => {
    const rng = new Rng(7);
    const good = '<caption>(0,1),(0,2)</caption>order 0,1,2<answer>0:1,1:2,2:2</answer>';
    let oks = 0;
    for (let k = 0; k < 10_000; k++) {
      const text = k % 2 ? randomString(rng) : mutate(rng, mutate(rng, good));
      const parsed = parseResponse(text);
      if (parsed.ok) {
        oks++;
        expect(text).toContain(`<answer>${parsed.answer}`.slice(0, 8));
        expect(text.indexOf('<caption>')).toBeLessThan(text.lastIndexOf('<answer>'));
      } else {
        expect(['no-caption', 'unclosed-caption', 'no-answer', 'unclosed-answer', 'order', 'empty']).toContain(parsed.failure);
      }
    }
    expect(oks).toBeGreaterThan(100); // the mutations leave many well-formed strings: both branches are exercised
  });

  it('answers non-strings with a failure instead of throwing', () => {
    expect(parseResponse(undefined)).toEqual({ ok: false, failure: 'empty' });
    expect(parseResponse(42)).toEqual({ ok: false, failure: 'empty' });
  });
});
