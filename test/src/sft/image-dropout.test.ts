/**
 * `sft --image-dropout`: the rows trained without the image are exactly the input the self-reward's second hop
 * gives the policy (one definition, src/model/no-image.ts), the caption is context and not a target, and the
 * share is seeded per sample id.
 */
import { describe, expect, it } from 'vitest';
import { puzzleAt, sampleOf } from '../../../src/data/split-sample.ts';
import { modelConfig } from '../../../src/model/config.ts';
import { BLANK_PIXEL } from '../../../src/model/no-image.ts';
import { promptTokens } from '../../../src/prompt.ts';
import type { Vlm } from '../../../src/model/vlm.ts';
import { TfjsPolicy } from '../../../src/policy/tfjs-policy.ts';
import type { Completion } from '../../../src/policy/policy.ts';
import { selfReward } from '../../../src/rl/rewards/self-reward.ts';
import type { ServeRow, ServeSampling } from '../../../src/policy/served-model.ts';
import { dropsImage, trainRows } from '../../../src/sft/train-rows.ts';
import { gcTask } from '../../../src/tasks/gc/index.ts';
import { decode, encode } from '../../../src/tokenizer.ts';

const options = { minNodes: 5, maxNodes: 6, verbosity: 0, inputSize: 32 };
const model = modelConfig('tiny', { inputSize: 32, d: 32, layers: 1 });
const samples = () =>
  Promise.all([0, 1, 2, 3, 4, 5].map(async (i) => sampleOf(gcTask, puzzleAt(gcTask, { split: 'train_sft', seed: 2, options }, i), true, options)));

/** A TfjsPolicy whose sampling only records the rows it was asked for (no model needed). */
class RowSpy extends TfjsPolicy {
  rows: ServeRow[] = [];
  override async generateRows(rows: readonly ServeRow[], sampling: ServeSampling): Promise<Completion[][]> {
    this.rows.push(...rows);
    return rows.map(() => Array.from({ length: sampling.n }, (): Completion => ({ text: '' })));
  }
}

describe('sft --image-dropout', () => {
  it("trains the self-reward's second-hop input: blank image, caption given as context, reasoning and answer as target", async () => {
    const all = await samples();
    const { rows, withoutImage } = trainRows(gcTask, all, model, options, 'full', { share: 1, seed: 0 });
    expect(withoutImage).toBe(all.length);
    const spy = new RowSpy({ config: model } as unknown as Vlm);
    await selfReward(spy, gcTask, { n: 1, maxTokens: 8, temperature: 1, seed: 0 }).score(
      all.map((sample) => ({ sample, text: sample.response!, caption: sample.puzzle.pStar })),
      1,
    );
    expect(spy.rows).toHaveLength(all.length);
    rows.forEach((row, i) => {
      const hop = spy.rows[i];
      expect(row.pixels).toEqual(hop.pixels); // the same blank image…
      expect(row.pixels.every((v) => v === BLANK_PIXEL)).toBe(true);
      expect(row.prompt).toEqual(promptTokens(hop.query, hop.prefix)); // …and the same prompt, caption forced
      expect(decode(row.response)).toBe(all[i].response!.slice(`<caption>${all[i].puzzle.pStar}</caption>`.length));
    });
  });

  it('withholds the image from a seeded share fixed per sample id, and from none at 0', async () => {
    const all = await samples();
    const plain = trainRows(gcTask, all, model, options, 'full');
    expect(plain.withoutImage).toBe(0);
    expect(plain.rows[0].prompt).toEqual(promptTokens(all[0].query));
    expect(plain.rows[0].response).toEqual(encode(all[0].response!));
    const half = trainRows(gcTask, all, model, options, 'full', { share: 0.5, seed: 7 });
    const chosen = all.map((s) => dropsImage({ share: 0.5, seed: 7 }, s.puzzle.id));
    expect(half.withoutImage).toBe(chosen.filter(Boolean).length);
    half.rows.forEach((row, i) => expect(row.pixels === all[i].pixels).toBe(!chosen[i]));
    const ids = Array.from({ length: 2000 }, (_, i) => `gc-train_sft-${i}`);
    const share = ids.filter((id) => dropsImage({ share: 0.3, seed: 1 }, id)).length / ids.length;
    expect(share).toBeGreaterThan(0.27);
    expect(share).toBeLessThan(0.33);
    // the perception pre-stage trains the caption itself: never without the image
    expect(trainRows(gcTask, all, model, options, 'perception', { share: 1, seed: 0 }).withoutImage).toBe(0);
  });
});
