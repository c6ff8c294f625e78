/**
 * The metric naming convention (docs/architecture.md §2 `Metric.name`). Every flow emits these names; the dashboard, the
 * plain log, the plots and the recorder read them. Names are `<group>/<what>` so a consumer can group by
 * the prefix; per-reward-component names are `reward/<component>/mean`.
 *
 *   eval/*        correctness in [0,1] over an evaluation batch: a = Acc(r|p*), ap = 1(p=p*),
 *                 ar = Acc(r'|p*) (counterfactual, oracle caption), arCond = Acc(r|p) (own caption)
 *   train/*       per-step training figures: losses, the reweighting λ, gradient norms and shares
 *   reward/*      GRPO reward components, mean over the step's rollouts
 *   throughput/*  rates measured over the step's wall-clock time
 *   diag/*        diagnostics (perception token fraction, loss share, parse failures)
 *
 * Lives in src/ (not tui/) because flows emit these names and flows may not import tui.
 */
export const MetricNames = {
  a: 'eval/a',
  ap: 'eval/ap',
  ar: 'eval/ar',
  arCond: 'eval/arCond',
  loss: 'train/loss',
  lossP: 'train/lossP', // Lp/|p|, token-averaged perception cross entropy
  lossR: 'train/lossR', // Lr/|r|, token-averaged reasoning cross entropy
  lambda: 'train/lambda',
  gradNormP: 'train/gradNormP',
  gradNormR: 'train/gradNormR',
  gradShareP: 'train/gradShareP', // ‖g_p‖ / (‖g_p‖ + ‖g_r‖)
  kl: 'train/kl',
  lr: 'train/lr',
  reward: 'reward/final/mean', // the final reward used for the advantage
  tokensPerSec: 'throughput/tokensPerSec',
  samplesPerSec: 'throughput/samplesPerSec',
  rolloutsPerSec: 'throughput/rolloutsPerSec',
  perceptionTokenFraction: 'diag/perceptionTokenFraction',
  perceptionLossShare: 'diag/perceptionLossShare',
  parseFailures: 'diag/parseFailures',
  gradNorm: 'train/gradNorm', // global norm of the update before clipping
  gradNormRawP: 'train/gradNormRawP', // ‖∇ mean_b Lp/|p|‖, what NGDiff balances (λ objectives)
  gradNormRawR: 'train/gradNormRawR', // ‖∇ mean_b Lr/|r|‖
} as const;

export type KnownMetricName = (typeof MetricNames)[keyof typeof MetricNames];

/** `reward/<component>/mean` for a named reward component (e.g. 'accuracy', 'perception', 'self'). */
export function rewardMetricName(component: string): string {
  return `reward/${component}/mean`;
}

/** The component of a `reward/<component>/mean` name, or undefined for any other name. */
export function rewardComponent(name: string): string | undefined {
  const match = /^reward\/([^/]+)\/mean$/.exec(name);
  return match ? match[1] : undefined;
}

/** The group prefix of a metric name ('eval/a' → 'eval'); names without a slash are their own group. */
export function metricGroup(name: string): string {
  const slash = name.indexOf('/');
  return slash < 0 ? name : name.slice(0, slash);
}

const LABELS: Readonly<Record<string, string>> = {
  [MetricNames.a]: 'a',
  [MetricNames.ap]: 'a_p',
  [MetricNames.ar]: 'a_r',
  [MetricNames.arCond]: 'ã_r',
  [MetricNames.loss]: 'L',
  [MetricNames.lossP]: 'L_p',
  [MetricNames.lossR]: 'L_r',
  [MetricNames.lambda]: 'λ',
  [MetricNames.gradNormP]: '‖g_p‖',
  [MetricNames.gradNormR]: '‖g_r‖',
  [MetricNames.gradShareP]: 'g_p share',
  [MetricNames.tokensPerSec]: 'tokens/s',
  [MetricNames.samplesPerSec]: 'samples/s',
  [MetricNames.rolloutsPerSec]: 'rollouts/s',
  [MetricNames.gradNorm]: '‖g‖',
  [MetricNames.gradNormRawP]: '‖∇Lp/|p|‖',
  [MetricNames.gradNormRawR]: '‖∇Lr/|r|‖',
  [MetricNames.kl]: 'KL',
  [MetricNames.lr]: 'lr',
  [MetricNames.perceptionTokenFraction]: 'p-token frac',
  [MetricNames.perceptionLossShare]: 'p-loss share',
  [MetricNames.parseFailures]: 'parse fails',
};

/** A short human label ('eval/ap' → 'a_p', 'reward/self/mean' → 'self'); unknown names label themselves. */
export function metricLabel(name: string): string {
  return LABELS[name] ?? rewardComponent(name) ?? name;
}
