/** A JSON-lines file read whole: one value a non-blank line, and a line that is not JSON named by its number. */
import fs from 'node:fs';

export function readJsonLines<T>(file: string): T[] {
  return fs
    .readFileSync(file, 'utf8')
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line, i) => {
      try {
        return JSON.parse(line) as T;
      } catch {
        throw new Error(`${file}: line ${i + 1} is not JSON`);
      }
    });
}
