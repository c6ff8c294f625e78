/**
 * A Policy over our own model (docs/architecture.md §4, §6): KV-cache sampling from src/model/sample.ts with the forced
 * prefix as prompt context. Also the ServedModel behind `asymflow serve`, so served and in-process answers
 * come from the same code.
 *
 * Seeding: every row carries its own seed (policy.generate derives it from the run seed and the sample id,
 * serve takes the request's). At temperature 0 rows are batched freely (greedy ignores the rng; n greedy
 * completions are one completion repeated). At temperature > 0, `seeding: 'per-sample'` gives completion k
 * of a row its own Rng (the row's seed split by k), so a row samples the same whatever shares its batch —
 * what makes `asymflow serve` equal in-process sampling — while `'per-batch'` (default, the streams earlier
 * runs used) draws from one Rng per call, seeded from the rows' seeds: reproducible for the same seed and
 * batches only. Both put up to maxBatch rows in one call.
 */
import { blankImage } from '../model/no-image.ts';
import { decode } from '../tokenizer.ts';
import { hashString, Rng } from '../rng.ts';
import type { Sample } from '../records.ts';
import { patchCount } from '../model/config.ts';
import { promptTokens } from '../prompt.ts';
import { sample as sampleModel, type SampleRequest } from '../model/sample.ts';
import { loadCheckpoint } from '../model/checkpoint.ts';
import { checkpointName, resolveCheckpointDir } from '../model/checkpoint-dir.ts';
import { disposeVlm, type Vlm } from '../model/vlm.ts';
import type { ServedModel, ServeRow, ServeSampling } from './served-model.ts';
import { prefixFor, type Completion, type GenerateOptions, type Policy } from './policy.ts';
import { sampleSeed, type Seeding } from './seeds.ts';

export interface TfjsPolicyOptions {
  readonly name?: string; // default 'asymflow'
  readonly maxBatch?: number; // rows per sampling call (default 32)
  readonly seeding?: Seeding; // default 'per-batch'
  readonly ownsModel?: boolean; // close() disposes the model (default false)
}

interface Prepared {
  readonly index: number;
  readonly request: SampleRequest;
  readonly seed: number;
}

export class TfjsPolicy implements Policy, ServedModel {
  readonly name: string;
  readonly inputSize: number;
  readonly maxTokens: number;
  readonly imageTokens: number;
  private readonly maxBatch: number;
  private readonly seeding: Seeding;

  constructor(
    readonly model: Vlm,
    private readonly options: TfjsPolicyOptions = {},
  ) {
    this.name = options.name ?? 'asymflow';
    this.inputSize = model.config.inputSize;
    this.maxTokens = model.config.maxText;
    this.imageTokens = patchCount(model.config);
    this.maxBatch = options.maxBatch ?? 32;
    this.seeding = options.seeding ?? 'per-batch';
    if (!Number.isInteger(this.maxBatch) || this.maxBatch < 1) throw new RangeError(`TfjsPolicy maxBatch must be a positive integer, got ${this.maxBatch}`);
  }

  async generate(samples: readonly Sample[], options: GenerateOptions): Promise<Completion[][]> {
    const blank = options.withImage === false ? blankImage(this.inputSize) : undefined; // src/model/no-image.ts
    const rows: (ServeRow | string)[] = samples.map((sample, i) => {
      const pixels = blank ?? sample.pixels;
      if (!pixels) return `sample ${sample.puzzle.id} has no model-input pixels`;
      return { pixels, query: sample.query, prefix: prefixFor(options, i), seed: sampleSeed(options.seed, sample.puzzle.id) };
    });
    const ok = rows.filter((r): r is ServeRow => typeof r !== 'string');
    const sampled = await this.generateRows(ok, options);
    let next = 0;
    return rows.map((r) => (typeof r === 'string' ? failed(options.n, r) : sampled[next++]));
  }

  /** `sampling.n` completions per row; a row the model cannot take (size, length) fails alone. */
  async generateRows(rows: readonly ServeRow[], sampling: ServeSampling): Promise<Completion[][]> {
    const out: Completion[][] = new Array(rows.length);
    const prepared: Prepared[] = [];
    const c = this.model.config;
    const perSample = this.seeding === 'per-sample';
    rows.forEach((row, index) => {
      const prompt = promptTokens(row.query, row.prefix ?? '');
      if (row.pixels.length !== c.inputSize * c.inputSize) {
        out[index] = failed(sampling.n, `image has ${row.pixels.length} pixels; the model takes ${c.inputSize}×${c.inputSize}`);
      } else if (prompt.length >= c.maxText) {
        out[index] = failed(sampling.n, `prompt has ${prompt.length} tokens; the model holds ${c.maxText} (model.maxText)`);
      } else prepared.push({ index, request: { pixels: row.pixels, prompt }, seed: row.seed });
    });
    for (const group of this.groups(prepared, sampling)) {
      const copies = sampling.temperature === 0 ? 1 : sampling.n;
      const requests = group.rows.flatMap((p) => Array.from({ length: copies }, () => p.request));
      const shortest = Math.min(...requests.map((r) => r.prompt.length));
      // The KV cache is sized by maxTokens: never ask for more than any row can hold (10,000 → maxText).
      const maxTokens = Math.min(sampling.maxTokens, c.maxText - shortest);
      const generations = await sampleModel(this.model, requests, {
        temperature: sampling.temperature,
        topP: sampling.topP,
        maxTokens,
        rng: perSample ? group.rows.flatMap((p) => Array.from({ length: copies }, (_, k) => new Rng(p.seed).split(k))) : new Rng(group.seed),
        ...(sampling.stop?.length ? { stop: sampling.stop } : {}),
        ...(sampling.topLogprobs ? { topLogprobs: sampling.topLogprobs } : {}),
      });
      group.rows.forEach((p, r) => {
        const mine = generations.slice(r * copies, (r + 1) * copies);
        out[p.index] = Array.from({ length: sampling.n }, (_, k) => {
          const g = mine[copies === 1 ? 0 : k];
          return {
            text: decode(g.tokens),
            tokens: g.tokens,
            logprobs: g.logprobs,
            finish: g.finish,
            ...(g.stopString !== undefined ? { stopString: g.stopString } : {}),
            ...(g.top ? { top: g.top } : {}),
          };
        });
      });
    }
    return out;
  }

  /** Sampling calls: up to maxBatch sequences each; the per-batch seed is mixed from the rows'. */
  private groups(prepared: readonly Prepared[], sampling: ServeSampling): { rows: Prepared[]; seed: number }[] {
    const rowsPerCall = Math.max(1, Math.floor(this.maxBatch / (sampling.temperature === 0 ? 1 : sampling.n)));
    const groups: { rows: Prepared[]; seed: number }[] = [];
    for (let i = 0; i < prepared.length; i += rowsPerCall) {
      const rows = prepared.slice(i, i + rowsPerCall);
      const seed = rows.length === 1 ? rows[0].seed : hashString(rows.map((p) => p.seed).join(','));
      groups.push({ rows, seed });
    }
    return groups;
  }

  async close(): Promise<void> {
    if (this.options.ownsModel) disposeVlm(this.model);
  }
}

/** A policy over the weights of checkpoint `dir` (its optimizer state, if saved, is dropped); owns the model. */
export async function loadTfjsPolicy(dir: string, options: Omit<TfjsPolicyOptions, 'ownsModel'> = {}): Promise<TfjsPolicy> {
  const checkpoint = resolveCheckpointDir(dir); // a run directory will do
  const { model, optimizer } = await loadCheckpoint(checkpoint);
  optimizer?.dispose();
  const name = options.name ?? checkpointName(checkpoint);
  return new TfjsPolicy(model, { ...options, name, ownsModel: true });
}

function failed(n: number, reason: string): Completion[] {
  return Array.from({ length: n }, () => ({ text: '', failed: reason }));
}
