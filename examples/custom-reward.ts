/**
 * Plugging a new reward into the RL flow in code (docs/architecture.md §5): a SurrogateReward is any object with a name and
 * a batch `score`. Here, a format-only perception prior for Graph Colouring that never reads p*: 1 when the
 * caption is a well-formed edge list `(i,j),…` with i < j, sorted and without repeats, else 0. It replaces
 * a_p in R = α·reward + (1−α)·a, is recorded in rollouts.msgpack as `rewards.wellFormed` and plotted as
 * `reward/wellFormed/mean`; a second reward (`captionLength`) is recorded beside it for the diagnostic only.
 *
 *   npx tsx examples/custom-reward.ts --init CHECKPOINT_DIR --out runs/custom-reward [--steps 5] [--alpha 0.5]
 *   npx tsx tui/cli.ts diagnose --rollouts runs/custom-reward/rollouts.msgpack --out runs/custom-reward/diag
 */
import { parseArgs } from 'node:util';
import { resolveBackend, resolveRlConfig, runRl, type RewardInput, type SurrogateReward } from 'asymflow';

/** 1 for a syntactically perfect GC edge list, 0 otherwise (no caption included). */
export const wellFormedEdges: SurrogateReward = {
  name: 'wellFormed',
  async score(inputs: readonly RewardInput[]): Promise<number[]> {
    return inputs.map(({ caption }) => {
      if (caption === undefined || !/^\(\d+,\d+\)(,\(\d+,\d+\))*$/.test(caption)) return 0;
      const edges = [...caption.matchAll(/\((\d+),(\d+)\)/g)].map((m) => [Number(m[1]), Number(m[2])]);
      const ordered = edges.every(([i, j], k) => i < j && (k === 0 || edges[k - 1][0] < i || (edges[k - 1][0] === i && edges[k - 1][1] < j)));
      return ordered ? 1 : 0;
    });
  },
};

/** Caption length in characters: not trained on, recorded for `asymflow diagnose`. */
const captionLength: SurrogateReward = {
  name: 'captionLength',
  score: async (inputs) => inputs.map((x) => x.caption?.length ?? 0),
};

const { values } = parseArgs({
  options: {
    init: { type: 'string' },
    out: { type: 'string' },
    steps: { type: 'string', default: '5' },
    alpha: { type: 'string', default: '0.5' },
    backend: { type: 'string' },
  },
});
if (!values.init || !values.out) {
  process.stderr.write('usage: npx tsx examples/custom-reward.ts --init CHECKPOINT_DIR --out RUN_DIR [--steps N] [--alpha A] [--backend cpu]\n');
  process.exit(1);
}
const backend = await resolveBackend(values.backend);
const summary = await runRl({
  // `reward: 'perception'` names the slot; the surrogate given below takes it.
  config: resolveRlConfig({
    task: 'gc',
    init: values.init,
    out: values.out,
    steps: values.steps,
    alpha: values.alpha,
    reward: 'perception',
    prompts: 4,
    group: 4,
    maxTokens: 128,
    evalN: 8,
  }),
  surrogate: wellFormedEdges,
  extraRewards: [captionLength],
  backend,
});
process.stdout.write(`${JSON.stringify(summary.rewards, null, 2)}\n`);
