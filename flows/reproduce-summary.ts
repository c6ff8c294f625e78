/** A finished reproduce part's record, DIR/<task>/<part>/summary.json: what ran, where, how long, and its result. */
import fs from 'node:fs';
import path from 'node:path';
import type { ReproduceTask } from '../src/reproduce/presets.ts';
import type { PartOutput } from './reproduce-parts.ts';

export interface Versions {
  readonly asymflow: string | null;
  readonly commit: string | null;
  readonly node: string;
  readonly tfjs: string;
  readonly platform: string;
}

/** What DIR/<task>/<part>/summary.json holds. */
export interface PartSummary extends PartOutput {
  readonly part: string;
  readonly task: ReproduceTask;
  readonly kind: string; // a PartKind, or a paper preset's one-setting kind (`rl@0.5`)
  readonly preset: string;
  readonly seed: number;
  readonly backend: string;
  readonly device: string;
  readonly wallMs: number;
  readonly finished: string;
  readonly versions: Versions;
}

export const summaryFile = (out: string, part: string) => path.join(out, ...part.split('/'), 'summary.json');

export function readPartSummary(out: string, part: string): PartSummary | undefined {
  const file = summaryFile(out, part);
  return fs.existsSync(file) ? (JSON.parse(fs.readFileSync(file, 'utf8')) as PartSummary) : undefined;
}

/** `key: parts` for the finished parts grouped by what `of` says about each, in order of first appearance. */
function groupParts(summaries: readonly PartSummary[], of: (s: PartSummary) => string): string[] {
  const groups = new Map<string, string[]>();
  for (const s of summaries) groups.set(of(s), [...(groups.get(of(s)) ?? []), s.part]);
  return [...groups].map(([key, parts]) => `${key} (${parts.length === summaries.length ? 'every part' : parts.join(', ')})`);
}

/**
 * The report's provenance lines, from the finished parts' own records: the backend and device each ran on
 * and the asymflow build that ran it (a resumed directory may mix builds or machines), then the report's writer.
 */
export function provenanceLines(summaries: readonly PartSummary[], writer: Versions): string[] {
  const build = (v: Versions) => `asymflow ${v.asymflow ?? 'unknown'} (commit ${v.commit ?? 'unknown'})`;
  if (summaries.length === 0) return ['- no part has finished yet', `- report written by ${build(writer)}, Node ${writer.node}, ${writer.platform}`];
  return [
    `- runs on: ${groupParts(summaries, (s) => `backend \`${s.backend}\`, device ${s.device}`).join('; ')}`,
    `- runs by: ${groupParts(summaries, (s) => `${build(s.versions)}, Node ${s.versions.node}, TensorFlow.js ${s.versions.tfjs}, ${s.versions.platform}`).join('; ')}`,
    `- report written by ${build(writer)}`,
  ];
}
