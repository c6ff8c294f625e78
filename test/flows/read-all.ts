/** Every record of a recording, in order (flow tests compare what a run recorded). */
import { readRecording } from '../../src/recording/index.ts';

export async function readAll<T>(file: string): Promise<T[]> {
  const out: T[] = [];
  for await (const r of await readRecording<T>(file)) out.push(r);
  return out;
}
