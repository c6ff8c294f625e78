/** An SFT run's identity in its checkpoint (config, task and model options), read without loading tensors. */
import fs from 'node:fs';
import path from 'node:path';
import { toObjective } from './objective-spec.ts';

export interface SftIdentity {
  readonly config: Readonly<Record<string, unknown>>; // the resolved SftConfig
  readonly taskOptions: Readonly<Record<string, unknown>>;
  readonly modelOptions: Readonly<Record<string, unknown>>;
}

export { hasCheckpoint } from '../model/checkpoint-dir.ts';

/** The identity saved in `dir`'s checkpoint (no tensors loaded): what `--resume` continues. */
export function readSftIdentity(dir: string): SftIdentity {
  const where = path.join(dir, 'checkpoint.json');
  let manifest: { metadata?: { identity?: SftIdentity } };
  try {
    manifest = JSON.parse(fs.readFileSync(where, 'utf8')) as typeof manifest;
  } catch (error) {
    throw new Error(`${where}: cannot read (${(error as Error).message})`);
  }
  const identity = manifest.metadata?.identity;
  if (!identity?.config) throw new Error(`${where}: no run identity in its metadata; not an asymflow sft checkpoint`);
  return upgradeSftIdentity(identity, where);
}

/**
 * A saved identity in today's form: checkpoints and config.json files written before the objective was typed
 * hold it as its name (`lambda:0.2`); it becomes the typed value, so a resume compares like with like.
 */
export function upgradeSftIdentity(identity: SftIdentity, where: string): SftIdentity {
  if (identity.config.objective === undefined) return identity;
  try {
    return { ...identity, config: { ...identity.config, objective: toObjective(identity.config.objective) } };
  } catch (error) {
    throw new Error(`${where}: the saved ${(error as Error).message}`);
  }
}
