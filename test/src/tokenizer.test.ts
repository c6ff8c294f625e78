import { describe, expect, it } from 'vitest';
import { decode, encode, TAG_IDS, tokenCount, UNK, VOCAB_SIZE } from '../../src/tokenizer.ts';

describe('tokenizer', () => {
  it('encodes tags as single tokens and round-trips', () => {
    const text = '<caption>(0,1)</caption>a b\n<answer>0:1</answer>';
    const ids = encode(text);
    expect(ids[0]).toBe(TAG_IDS.captionOpen);
    expect(Array.from(ids)).toContain(TAG_IDS.answerClose);
    expect(ids.length).toBe(tokenCount(text));
    expect(ids.length).toBe(text.length - (9 + 10 + 8 + 9) + 4); // 4 tags of 9,10,8,9 chars → 4 tokens
    expect(decode(ids)).toBe(text);
    for (const id of ids) expect(id).toBeLessThan(VOCAB_SIZE);
  });

  it('maps characters outside the vocabulary to UNK', () => {
    const ids = encode('a\u00e9');
    expect(ids[1]).toBe(UNK);
    expect(decode(ids)).toBe('a\ufffd');
  });
});
