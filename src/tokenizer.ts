/**
 * Character-level tokenizer (docs/architecture.md §4): printable ASCII one token per character, the grammar's tags as
 * single tokens, plus PAD/BOS/EOS. Text outside the vocabulary maps to UNK rather than throwing, so any
 * model output or dataset string round-trips to a token sequence.
 */
import { ANSWER_CLOSE, ANSWER_OPEN, CAPTION_CLOSE, CAPTION_OPEN } from './grammar.ts';

export const PAD = 0;
export const BOS = 1;
export const EOS = 2;
export const UNK = 3;
const SPECIALS = ['<pad>', '<bos>', '<eos>', '<unk>'];
export const TAGS = [CAPTION_OPEN, CAPTION_CLOSE, ANSWER_OPEN, ANSWER_CLOSE] as const;
const CHARS = Array.from({ length: 0x7e - 0x20 + 1 }, (_, i) => String.fromCharCode(0x20 + i)).concat(['\n']);

export const VOCAB: readonly string[] = [...SPECIALS, ...TAGS, ...CHARS];
export const VOCAB_SIZE = VOCAB.length;
export const TAG_IDS = {
  captionOpen: SPECIALS.length,
  captionClose: SPECIALS.length + 1,
  answerOpen: SPECIALS.length + 2,
  answerClose: SPECIALS.length + 3,
} as const;

const charId = new Map<string, number>(CHARS.map((c, i) => [c, SPECIALS.length + TAGS.length + i]));

/** Token ids of `text` (no BOS/EOS added). */
export function encode(text: string): Int32Array {
  const ids: number[] = [];
  let i = 0;
  outer: while (i < text.length) {
    if (text[i] === '<') {
      for (let t = 0; t < TAGS.length; t++) {
        if (text.startsWith(TAGS[t], i)) {
          ids.push(SPECIALS.length + t);
          i += TAGS[t].length;
          continue outer;
        }
      }
    }
    ids.push(charId.get(text[i]) ?? UNK);
    i++;
  }
  return Int32Array.from(ids);
}

/** Text of `ids`; PAD/BOS/EOS are dropped, UNK shows as U+FFFD. */
export function decode(ids: ArrayLike<number>): string {
  let out = '';
  for (let i = 0; i < ids.length; i++) {
    const id = ids[i];
    if (id === PAD || id === BOS || id === EOS) continue;
    out += id === UNK || id < 0 || id >= VOCAB_SIZE ? '\ufffd' : VOCAB[id];
  }
  return out;
}

/** Number of tokens `text` encodes to, without allocating. */
export function tokenCount(text: string): number {
  let n = 0;
  let i = 0;
  outer: while (i < text.length) {
    if (text[i] === '<') {
      for (const tag of TAGS) {
        if (text.startsWith(tag, i)) {
          n++;
          i += tag.length;
          continue outer;
        }
      }
    }
    n++;
    i++;
  }
  return n;
}
