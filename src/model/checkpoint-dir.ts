/**
 * Where a user may point for a checkpoint: the checkpoint directory itself (holding checkpoint.json), or a
 * run directory — an SFT run keeps its checkpoint in DIR/checkpoints, an RL run in DIR/checkpoints/latest.
 * Every verb that reads a checkpoint (eval, serve, rl --init, diagnose, teacher:DIR) resolves it here.
 */
import fs from 'node:fs';
import path from 'node:path';

const MANIFEST = 'checkpoint.json';
const LAYOUTS = ['.', 'checkpoints', path.join('checkpoints', 'latest')];

/** Whether `dir` holds a checkpoint (its commit point, checkpoint.json); reads no tensors. */
export const hasCheckpoint = (dir: string): boolean => fs.existsSync(path.join(dir, MANIFEST));

/** The directory holding checkpoint.json for `dir` (see the file comment); a clear error when none does. */
export function resolveCheckpointDir(dir: string): string {
  for (const layout of LAYOUTS) {
    const candidate = path.join(dir, layout);
    if (fs.existsSync(path.join(candidate, MANIFEST))) return layout === '.' ? dir : candidate;
  }
  if (!fs.existsSync(dir)) throw new Error(`checkpoint ${dir}: no such directory`);
  throw new Error(`checkpoint ${dir}: no ${MANIFEST} there, nor in its checkpoints/ or checkpoints/latest/ (a checkpoint or a run directory was expected)`);
}

/** A name for the model in `checkpointDir`: its run directory's name, not "checkpoints" or "latest". */
export function checkpointName(checkpointDir: string): string {
  let dir = path.resolve(checkpointDir);
  if (path.basename(dir) === 'latest' && path.basename(path.dirname(dir)) === 'checkpoints') dir = path.dirname(dir);
  if (path.basename(dir) === 'checkpoints') dir = path.dirname(dir);
  return path.basename(dir) || 'asymflow';
}
