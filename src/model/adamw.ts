/**
 * AdamW (decoupled weight decay, PyTorch's formulation) over a named set of variables, with its moments held
 * in our own variables so the state is checkpointable and the update exact and reproducible:
 *   p ← p − lr·wd·p;  m ← β1·m + (1−β1)·g;  v ← β2·v + (1−β2)·g²
 *   p ← p − lr · (m / (1−β1ᵗ)) / (√(v / (1−β2ᵗ)) + ε)
 * The learning rate follows linear warmup then cosine decay to minLrRatio·lr at totalSteps (then flat).
 */
import * as tf from '@tensorflow/tfjs';
import { checks, resolveConfig, type Checks } from '../config.ts';
import { fusedOptimizer } from '../webgpu/index.ts';

export interface AdamWConfig {
  readonly lr: number; // peak learning rate
  readonly beta1: number;
  readonly beta2: number;
  readonly eps: number;
  readonly weightDecay: number; // applied to decayed parameters only (see `decays`)
  readonly clipNorm: number; // global L2 gradient-norm clip; 0 disables
  readonly warmupSteps: number; // linear warmup from lr/warmupSteps to lr
  readonly totalSteps: number; // cosine reaches minLrRatio·lr here; 0 = constant lr after warmup
  readonly minLrRatio: number;
}

export const ADAMW_DEFAULTS: AdamWConfig = {
  lr: 3e-4,
  beta1: 0.9,
  beta2: 0.95,
  eps: 1e-8,
  weightDecay: 0.1,
  clipNorm: 1,
  warmupSteps: 0,
  totalSteps: 0,
  minLrRatio: 0.1,
};

const rules: Checks<AdamWConfig> = {
  lr: checks.positive,
  beta1: checks.inRange(0, 0.999999),
  beta2: checks.inRange(0, 0.999999),
  eps: checks.positive,
  weightDecay: checks.inRange(0, 1e9),
  clipNorm: checks.inRange(0, 1e12),
  warmupSteps: checks.nonNegativeInt,
  totalSteps: checks.nonNegativeInt,
  minLrRatio: checks.inRange(0, 1),
};

export function adamwConfig(overrides: Readonly<Record<string, unknown>> = {}): AdamWConfig {
  return resolveConfig('optim', ADAMW_DEFAULTS, overrides, rules);
}

/** Learning rate of 1-based `step` under warmup + cosine. */
export function learningRate(c: AdamWConfig, step: number): number {
  if (c.warmupSteps > 0 && step <= c.warmupSteps) return (c.lr * step) / c.warmupSteps;
  if (c.totalSteps <= c.warmupSteps) return c.lr;
  const progress = Math.min(1, (step - c.warmupSteps) / (c.totalSteps - c.warmupSteps));
  const min = c.lr * c.minLrRatio;
  return min + (c.lr - min) * 0.5 * (1 + Math.cos(Math.PI * progress));
}

/** Default decay rule: weight matrices and embeddings (rank ≥ 2); not gains, biases or scalars. */
export const decayMatrices = (_name: string, v: tf.Variable): boolean => v.rank >= 2;

function zeroVariable(like: tf.Variable, name: string): tf.Variable {
  const zeros = tf.zerosLike(like); // shape of like
  const v = tf.variable(zeros, false, name); // shares zeros' data
  zeros.dispose();
  return v;
}

export class AdamW {
  readonly config: AdamWConfig;
  /** Updates applied so far; the next update is step + 1. */
  step = 0;
  readonly m = new Map<string, tf.Variable>();
  readonly v = new Map<string, tf.Variable>();
  /** Run by dispose(): what others keep per optimizer (guarded-update.ts's chain and packed state) goes with it. */
  private readonly releasers = new Set<() => void>();

  constructor(
    readonly params: ReadonlyMap<string, tf.Variable>,
    config: Partial<AdamWConfig> = {},
    readonly decays: (name: string, v: tf.Variable) => boolean = decayMatrices,
  ) {
    this.config = adamwConfig(config);
    for (const [name, p] of params) {
      this.m.set(name, zeroVariable(p, `${p.name}/adam.m`)); // shape of p
      this.v.set(name, zeroVariable(p, `${p.name}/adam.v`)); // shape of p
    }
  }

  /** The learning rate the next update will use. */
  get lr(): number {
    return learningRate(this.config, this.step + 1);
  }

  /** Counts one more update and returns its learning rate and bias corrections (1 − βᵗ). */
  advance(): { lr: number; bc1: number; bc2: number } {
    this.step += 1;
    const c = this.config;
    return { lr: learningRate(c, this.step), bc1: 1 - c.beta1 ** this.step, bc2: 1 - c.beta2 ** this.step };
  }

  /**
   * One update from gradients by short name (already averaged by the caller), each multiplied by `scale`
   * first when given (the global-norm clip factor, []). Parameters without a gradient are left untouched,
   * moments included (as PyTorch does for grad = None). On webgpu one fused kernel per parameter updates
   * p, m and v in place (src/webgpu/fused.ts); elsewhere the reference ops below.
   * `guarded`: a negative `scale` skips the whole update — p, m and v keep their values — decided on the
   * device, so a caller can queue the update before it has read back whether the step was finite (the step
   * counter still advances; that caller rolls `step` back once it has read the verdict).
   */
  apply(grads: Readonly<Record<string, tf.Tensor>>, scale?: tf.Scalar, guarded = false): void {
    if (guarded && !scale) throw new Error('AdamW.apply: a guarded update needs a scale tensor (negative = skip)');
    const c = this.config;
    const { lr, bc1, bc2 } = this.advance();
    const fused = fusedOptimizer();
    for (const [name, p] of this.params) {
      const g = grads[name];
      if (!g) continue;
      const m = this.m.get(name)!;
      const v = this.v.get(name)!;
      const decay = this.decays(name, p) ? lr * c.weightDecay : 0;
      if (fused?.adamw(p, m, v, g, { lr, beta1: c.beta1, beta2: c.beta2, eps: c.eps, bc1, bc2, decay }, scale, guarded)) continue;
      tf.tidy(() => {
        // Guarded: each new value is chosen against the old one by the scale's sign, elementwise on the device.
        const keep = guarded ? tf.broadcastTo(tf.greaterEqual(scale!, 0), p.shape) : undefined; // shape of p, bool
        const chosen = (next: tf.Tensor, old: tf.Tensor) => (keep ? tf.where(keep, next, old) : next);
        const gs = scale ? tf.mul(g, scale) : g; // shape of p
        const m1 = tf.add(tf.mul(m, c.beta1), tf.mul(gs, 1 - c.beta1)); // shape of p
        const v1 = tf.add(tf.mul(v, c.beta2), tf.mul(tf.square(gs), 1 - c.beta2)); // shape of p
        const denom = tf.add(tf.sqrt(tf.div(v1, bc2)), c.eps); // shape of p
        const update = tf.div(tf.div(m1, bc1), denom); // shape of p
        const decayed = decay > 0 ? tf.mul(p, 1 - decay) : p; // shape of p
        p.assign(chosen(tf.sub(decayed, tf.mul(update, lr)), p)); // shape of p
        m.assign(chosen(m1, m));
        v.assign(chosen(v1, v));
      });
    }
  }

  /** Registers `release` to run when this optimizer is disposed (once; registering the same function again is a no-op). */
  onDispose(release: () => void): void {
    this.releasers.add(release);
  }

  dispose(): void {
    for (const release of this.releasers) release();
    this.releasers.clear();
    for (const t of [...this.m.values(), ...this.v.values()]) t.dispose();
  }
}
