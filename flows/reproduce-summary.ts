/** A finished reproduce part's record, DIR/<task>/<part>/summary.json: what ran, where, how long, and its result. */
import fs from 'node:fs';
import path from 'node:path';
import type { ReproduceTask } from '../src/reproduce/presets.ts';
import type { PartKind, PartOutput } from './reproduce-parts.ts';

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
  readonly kind: PartKind;
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

