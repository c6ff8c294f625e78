/**
 * A unit of work that a sweep or `reproduce` hands to an executor (local child processes or the BullMQ queue):
 * a known kind, its full validated config as plain JSON, and the jobs it must wait for. The job id is the
 * hash of kind + config, so the same run asked for twice is one job (re-running a coordinator attaches).
 */
import { createHash } from 'node:crypto';

/** The only things a worker runs; anything else on the queue is refused (never a command line). */
export const JOB_KINDS = ['sft-setting', 'rl-alpha', 'reproduce-part'] as const;
export type JobKind = (typeof JOB_KINDS)[number];

export interface JobSpec {
  readonly id: string; // jobId(kind, config)
  readonly kind: JobKind;
  readonly label: string; // for logs and the follow view, e.g. "λ=0.5" or "gc/rl"
  readonly config: Readonly<Record<string, unknown>>; // everything the run needs; hashed into the id
  readonly dependsOn: readonly string[]; // ids of jobs that must finish first (a DAG)
}

/** Progress a running job reports (child → worker → queue → coordinator). */
export interface JobProgress {
  readonly step?: number;
  readonly totalSteps?: number;
  readonly line?: string; // the run's last log line
  readonly metrics?: Readonly<Record<string, number>>; // last value of each evaluation metric
  readonly worker?: string; // host:pid of the worker running it
  readonly pid?: number; // the job's child process
}

/** Runs jobs (respecting dependsOn) and resolves with each job's result by id; rejects naming a failed job. */
export type JobExecutor = (jobs: readonly JobSpec[]) => Promise<ReadonlyMap<string, unknown>>;

/** JSON with object keys sorted, so equal configs hash equally whatever order their keys were built in. */
export function stableJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(stableJson).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${stableJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}

export const jobId = (kind: JobKind, config: Readonly<Record<string, unknown>>): string =>
  `${kind}-${createHash('sha256').update(stableJson({ kind, config })).digest('hex').slice(0, 24)}`;

export function jobSpec(kind: JobKind, label: string, config: Readonly<Record<string, unknown>>, dependsOn: readonly string[] = []): JobSpec {
  return { id: jobId(kind, config), kind, label, config, dependsOn };
}

export const isJobKind = (kind: unknown): kind is JobKind => typeof kind === 'string' && (JOB_KINDS as readonly string[]).includes(kind);

/** Jobs in an order where every job comes after what it depends on; a cycle or an unknown id is an error. */
export function topologicalOrder(jobs: readonly JobSpec[]): JobSpec[] {
  const byId = new Map(jobs.map((j) => [j.id, j]));
  const order: JobSpec[] = [];
  const state = new Map<string, 'visiting' | 'done'>();
  const visit = (j: JobSpec, path: readonly string[]) => {
    if (state.get(j.id) === 'done') return;
    if (state.get(j.id) === 'visiting') throw new Error(`jobs: dependency cycle ${[...path, j.label].join(' → ')}`);
    state.set(j.id, 'visiting');
    for (const d of j.dependsOn) {
      const dep = byId.get(d);
      if (!dep) throw new Error(`jobs: ${j.label} depends on ${d}, which is not among the jobs`);
      visit(dep, [...path, j.label]);
    }
    state.set(j.id, 'done');
    order.push(j);
  };
  for (const j of jobs) visit(j, []);
  return order;
}
