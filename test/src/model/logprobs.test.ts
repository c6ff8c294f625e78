import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { patchCount, patchDim } from '../../../src/model/config.ts';
import { hiddenStates, logits, patchify } from '../../../src/model/forward.ts';
import { disposeTokenLogprobs, prepareBatch, responseLogprobs, scoreLogprobs } from '../../../src/model/logprobs.ts';
import { promptTokens, responseSpans } from '../../../src/prompt.ts';
import { createVlm } from '../../../src/model/vlm.ts';
import { Rng } from '../../../src/rng.ts';
import { getTask } from '../../../src/tasks/registry.ts';
import { BOS, decode, encode, EOS } from '../../../src/tokenizer.ts';
import { BUCKET, pixels, rows, tiny, useCpu } from './fixtures.ts';

beforeAll(useCpu);

describe('prompt format', () => {
  it('is BOS query EOS prefix, and the spans follow docs/architecture.md §5', () => {
    const prompt = promptTokens('Q?', '<caption>');
    expect(Array.from(prompt.subarray(0, 4))).toEqual([BOS, ...encode('Q?'), EOS]);
    const response = encode('<caption>a-b</caption>so 1<answer>1</answer>');
    const s = responseSpans(promptTokens('Q?'), response);
    expect(decode(response.subarray(...s.perception))).toBe('a-b');
    expect(decode(response.subarray(...s.reasoning))).toBe('so 1<answer>1</answer>');
    // With the caption forced in the prompt, the whole response is reasoning.
    const forced = responseSpans(promptTokens('Q?', '<caption>a-b</caption>'), encode('so 1<answer>1</answer>'));
    expect(forced.perception).toEqual([0, 0]);
    expect(forced.reasoning).toEqual([0, 7]);
    // Forced open caption: the response starts inside the perception span.
    const open = responseSpans(promptTokens('Q?', '<caption>'), encode('a-b</caption>x'));
    expect(open).toEqual({ perception: [0, 3], reasoning: [4, 5] });
    expect(responseSpans(promptTokens('Q'), encode('no tags'))).toEqual({ perception: [7, 7], reasoning: [7, 7] });
    expect(responseSpans(promptTokens('Q'), encode('<caption>ab'))).toEqual({ perception: [1, 3], reasoning: [3, 3] });
  });
});

describe('logprobs', () => {
  it('equal a manual softmax gather over the full forward pass', async () => {
    const m = createVlm(tiny, 3);
    const row = rows(tiny, 1)[0];
    const out = scoreLogprobs(m, [row], BUCKET);
    const logp = await out.logp.data();
    // Manual: run the unpadded sequence, softmax on the CPU, gather each response token's probability.
    const seq = Int32Array.from([...row.prompt, ...row.response]);
    const z = tf.tidy(() => {
      const h = hiddenStates(m, {
        patches: tf.tensor3d(patchify(row.pixels, tiny), [1, patchCount(tiny), patchDim(tiny)]),
        ids: tf.tensor2d(seq, [1, seq.length], 'int32'),
        positions: tf.tensor2d(Int32Array.from(seq.keys()), [1, seq.length], 'int32'),
      });
      return logits(m, tf.slice(h, [0, patchCount(tiny), 0], [1, seq.length, tiny.d]) as tf.Tensor3D);
    });
    const zv = await z.data();
    const v = tiny.vocab;
    for (let k = 0; k < row.response.length; k++) {
      const col = row.prompt.length - 1 + k;
      const slice = Array.from(zv.subarray(col * v, (col + 1) * v));
      const max = Math.max(...slice);
      const sum = slice.reduce((a, x) => a + Math.exp(x - max), 0);
      const manual = Math.log(Math.exp(slice[row.response[k]] - max) / sum);
      expect(logp[k]).toBeCloseTo(manual, 4);
    }
    expect(Array.from(await out.mask.data()).slice(0, row.response.length + 2)).toEqual([...Array(row.response.length).fill(1), 0, 0]);
    disposeTokenLogprobs(out);
    z.dispose();
  });

  it('masks perception and reasoning on a real response string', async () => {
    const m = createVlm(tiny, 3);
    const response = '<caption>edges: 0-1 1-2</caption>0 gets 1<answer>1 2</answer>';
    const out = scoreLogprobs(m, [{ pixels: pixels(tiny, 1), prompt: promptTokens('Colour it.'), response: encode(response) }], BUCKET);
    const ids = encode(response);
    const pick = async (mask: tf.Tensor2D) => {
      const values = await mask.data();
      return decode(ids.filter((_, k) => values[k] === 1));
    };
    expect(await pick(out.maskP)).toBe('edges: 0-1 1-2');
    expect(await pick(out.maskR)).toBe('0 gets 1<answer>1 2</answer>');
    expect(await pick(out.mask)).toBe(response);
    expect(out.logp.shape).toEqual([1, 32]);
    disposeTokenLogprobs(out);
  });

  it('mask exactly p* and the rest on a real GC sample', async () => {
    const gc = await getTask('gc');
    const options = { inputSize: tiny.inputSize, verbosity: 0 };
    const puzzle = gc.generate(new Rng(3), 'gc-test-0', 3, options);
    const rendered = await gc.render(puzzle, options);
    const response = gc.response(puzzle, options);
    const ids = encode(response);
    const out = scoreLogprobs(createVlm(tiny, 3), [{ pixels: rendered.pixels, prompt: promptTokens(gc.query(puzzle)), response: ids }], BUCKET);
    const [p, r] = [await out.maskP.data(), await out.maskR.data()];
    expect(decode(ids.filter((_, k) => p[k] === 1))).toBe(puzzle.pStar);
    expect(decode(ids.filter((_, k) => r[k] === 1))).toBe(response.slice(response.indexOf('</caption>') + '</caption>'.length));
    expect(
      Array.from(await out.logp.data())
        .slice(0, ids.length)
        .every(Number.isFinite),
    ).toBe(true);
    disposeTokenLogprobs(out);
  });

  it('do not depend on padding or batch neighbours, and bucket the shapes', async () => {
    const m = createVlm(tiny, 5);
    const [a, b] = rows(tiny, 2);
    const long = { ...b, prompt: promptTokens('x'.repeat(70)), response: encode('<caption>' + 'y'.repeat(80)) };
    const alone = await responseLogprobs(m, [a], BUCKET);
    const together = await responseLogprobs(m, [a, long], BUCKET);
    for (let k = 0; k < alone[0].length; k++) expect(together[0][k]).toBeCloseTo(alone[0][k], 5);
    const layout = prepareBatch(tiny, [a, long], BUCKET);
    expect([layout.promptColumns, layout.responseColumns]).toEqual([80, 96]);
    expect(prepareBatch(tiny, [a, long]).promptColumns).toBe(128);
  });

  it('name the row that does not fit', () => {
    const [a] = rows(tiny, 1);
    expect(() => prepareBatch(tiny, [a, { ...a, response: new Int32Array(600) }])).toThrow(
      'prepareBatch: row 1 has 33 prompt + 600 response tokens, over model.maxText 512',
    );
    expect(() => prepareBatch(tiny, [{ ...a, pixels: new Float32Array(3) }])).toThrow(
      'prepareBatch: row 0 pixels: expected 32×32 = 1024 model-input pixels, got 3',
    );
  });
});
