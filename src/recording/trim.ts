/**
 * Resume support: keeps only the records of a recording that `keep` accepts (e.g. rollouts of steps up to
 * the checkpoint), rewriting the file atomically with its header, so an interrupted step's partial
 * rollouts are not duplicated when the step runs again.
 */
import fs from 'node:fs';
import { readRecording } from './reader.ts';
import { RecordingWriter } from './writer.ts';

export async function trimRecording<T>(file: string, keep: (record: T) => boolean): Promise<{ kept: number; dropped: number }> {
  if (!fs.existsSync(file)) return { kept: 0, dropped: 0 };
  const recording = await readRecording<T>(file);
  const writer = RecordingWriter.open(file, recording.header, { atomic: true });
  let kept = 0;
  let dropped = 0;
  try {
    for await (const record of recording) {
      if (keep(record)) (writer.write(record), kept++);
      else dropped++;
    }
  } catch (error) {
    writer.abort();
    throw error;
  }
  writer.close(); // renamed over the original only now, so a crash mid-trim leaves it untouched
  return { kept, dropped };
}
