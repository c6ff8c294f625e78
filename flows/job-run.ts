/**
 * What a worker may run: the three job kinds, each checked through the same validation as its CLI verb
 * before anything starts, then run by the flow function the local sweep/reproduce uses. A job is data
 * (a kind and a config), never a command line: an unknown kind or an invalid config is refused.
 *
 *   sft-setting     one setting of `sweep sft`  → runSetting (flows/sweep-sft.ts)     → its table row
 *   rl-alpha        one α of `sweep rl`         → runAlpha (flows/sweep-rl.ts)        → its RL summary
 *   reproduce-part  one part of `reproduce`     → runOnePart (reproduce-jobs)        → its part summary
 */
import path from 'node:path';
import { ConfigError } from '../src/config.ts';
import { resolveBackend } from '../src/backend/index.ts';
import { isJobKind, JOB_KINDS, type JobKind, type JobProgress } from '../src/queue/job-spec.ts';
import { resolveRlConfig, type RlConfig } from '../src/rl/rl-config.ts';
import { resolveSftConfig, type SftConfig } from '../src/sft/sft-config.ts';
import { toObjective } from '../src/sft/objective-spec.ts';
import type { SweepSetting } from '../src/sft/sweep-table.ts';
import type { TaskOptions } from '../src/tasks/task.ts';
import { parseTasks, partNames, presetOf, versions } from './reproduce.ts';
import { runOnePart, type ReproducePartConfig } from './reproduce-jobs.ts';
import { runAlpha } from './sweep-rl.ts';
import type { RunWatch } from './watch.ts';
import { runSetting } from './sweep-sft.ts';

interface SftSettingConfig {
  readonly base: SftConfig;
  readonly setting: SweepSetting;
  readonly out: string;
  readonly taskOptions: TaskOptions;
  readonly modelOptions: Readonly<Record<string, unknown>>;
}
interface RlAlphaConfig {
  readonly base: RlConfig;
  readonly alpha: number;
  readonly out: string;
  readonly taskOptions: TaskOptions;
}

export type ValidJob =
  | { readonly kind: 'sft-setting'; readonly config: SftSettingConfig }
  | { readonly kind: 'rl-alpha'; readonly config: RlAlphaConfig }
  | { readonly kind: 'reproduce-part'; readonly config: ReproducePartConfig };

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

function absoluteOut(kind: string, config: Record<string, unknown>): string {
  if (typeof config.out !== 'string' || !path.isAbsolute(config.out))
    throw new ConfigError(`job ${kind}: out must be an absolute directory, got ${JSON.stringify(config.out)}`);
  return config.out;
}

function options(kind: string, key: string, v: unknown): Record<string, unknown> {
  if (!isRecord(v)) throw new ConfigError(`job ${kind}: ${key} must be an object of options, got ${JSON.stringify(v)}`);
  return v;
}

/** The job as a known kind with a config that passes its verb's validation; throws ConfigError otherwise. */
export function validateJob(kind: unknown, config: unknown): ValidJob {
  if (!isJobKind(kind)) throw new ConfigError(`unknown job kind ${JSON.stringify(kind)}: a worker runs only ${JOB_KINDS.join(', ')}`);
  if (!isRecord(config)) throw new ConfigError(`job ${kind}: the config must be an object`);
  const out = absoluteOut(kind, config);
  switch (kind as JobKind) {
    case 'sft-setting': {
      const s = config.setting;
      if (!isRecord(s) || typeof s.name !== 'string' || !/^[\w.-]+$/.test(s.name) || typeof s.label !== 'string') {
        throw new ConfigError(`job sft-setting: setting must be {name, label, objective} with a plain directory name, got ${JSON.stringify(s)}`);
      }
      const base = resolveSftConfig(options(kind, 'base', config.base));
      const setting: SweepSetting = { name: s.name, label: s.label, objective: toObjective(s.objective) }; // a job queued before typed objectives names it
      resolveSftConfig({ ...base, objective: setting.objective }); // the setting's own config, checked before any work
      return {
        kind: 'sft-setting',
        config: {
          base,
          setting,
          out,
          taskOptions: options(kind, 'taskOptions', config.taskOptions) as TaskOptions,
          modelOptions: options(kind, 'modelOptions', config.modelOptions),
        },
      };
    }
    case 'rl-alpha': {
      const alpha = config.alpha;
      if (typeof alpha !== 'number' || !(alpha >= 0 && alpha <= 1))
        throw new ConfigError(`job rl-alpha: alpha must be a number in [0, 1], got ${JSON.stringify(alpha)}`);
      const base = resolveRlConfig({ ...options(kind, 'base', config.base), alpha });
      return { kind: 'rl-alpha', config: { base, alpha, out, taskOptions: options(kind, 'taskOptions', config.taskOptions) as TaskOptions } };
    }
    case 'reproduce-part': {
      const preset = presetOf(String(config.preset));
      const part = String(config.part);
      const names = partNames(parseTasks(part.split('/')[0] ?? ''), preset);
      if (!names.includes(part)) throw new ConfigError(`job reproduce-part: unknown part '${part}'`);
      if (typeof config.backend !== 'string') throw new ConfigError('job reproduce-part: backend must be a string');
      const seed = config.seed ?? preset.seed;
      if (typeof seed !== 'number' || !Number.isInteger(seed) || seed < 0)
        throw new ConfigError(`job reproduce-part: seed must be a non-negative integer, got ${JSON.stringify(seed)}`);
      return { kind: 'reproduce-part', config: { out, part, preset: preset.name, seed, backend: config.backend } };
    }
  }
}

export interface JobRunIo {
  readonly backend?: string; // the worker's --backend: wins over the job's request
  readonly log: (line: string) => void;
  readonly progress: (p: JobProgress) => void;
}

/** Runs a validated job in this process (the job's own child process) and returns its result. */
export async function runJob(job: ValidJob, io: JobRunIo): Promise<unknown> {
  switch (job.kind) {
    case 'sft-setting': {
      const c = job.config;
      const base = { ...c.base, backend: io.backend ?? c.base.backend };
      const backend = await resolveBackend(base.backend || undefined, { log: io.log });
      try {
        const last: Record<string, number> = {};
        const watch = (_s: SweepSetting, w: RunWatch) => {
          w.metrics$.subscribe((m) => {
            if (m.name.startsWith('eval/')) last[m.name] = m.value;
            io.progress({ step: m.step, totalSteps: w.info.totalSteps, metrics: { ...last } });
          });
        };
        return await runSetting(
          { base, settings: [c.setting], out: c.out, taskOptions: c.taskOptions, modelOptions: c.modelOptions, watch },
          c.out,
          c.setting,
          io.log,
        );
      } finally {
        await backend.dispose();
      }
    }
    case 'rl-alpha': {
      const c = job.config;
      const backend = await resolveBackend(io.backend ?? (c.base.backend || undefined), { log: io.log });
      try {
        return await runAlpha({ base: c.base, out: c.out, taskOptions: c.taskOptions, backend }, c.alpha, io.log);
      } finally {
        await backend.dispose();
      }
    }
    case 'reproduce-part': {
      const c = job.config;
      const backend = await resolveBackend(io.backend ?? c.backend, { log: io.log });
      try {
        return await runOnePart({ dir: c.out, seed: c.seed }, c.part, {
          preset: presetOf(c.preset),
          backend: { name: backend.name, device: backend.device },
          versions: versions(),
          log: io.log,
        });
      } finally {
        await backend.dispose();
      }
    }
  }
}
