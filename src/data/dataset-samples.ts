/**
 * Evaluation samples from a dataset written by `asymflow gen` (`DIR/<task>-<split>.msgpack`, a recording of
 * Samples) — or from one such file given directly. Every sample is checked before it reaches a policy:
 * task, puzzle and query present, and model-input pixels of the size the policy needs; a bad row fails with
 * the file and the row number.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { Sample } from '../records.ts';
import { readRecording } from '../recording/index.ts';

export interface DatasetSplit {
  readonly data: string; // a dataset directory or a .msgpack file
  readonly task: string;
  readonly split: string;
  readonly n: number; // the first n samples
  readonly inputSize?: number; // required model-input side (our models); undefined: any (endpoints get the PNG)
}

export function datasetFile({ data, task, split }: Pick<DatasetSplit, 'data' | 'task' | 'split'>): string {
  const file = fs.existsSync(data) && fs.statSync(data).isDirectory() ? path.join(data, `${task}-${split}.msgpack`) : data;
  if (!fs.existsSync(file)) throw new Error(`eval: no dataset file ${file} (write one with: asymflow gen --task ${task} --split ${split} --out ${data})`);
  return file;
}

function checkSample(sample: Sample, file: string, row: number, options: DatasetSplit): void {
  const where = `${file}: row ${row}`;
  if (!sample || typeof sample !== 'object' || !sample.puzzle || typeof sample.puzzle.pStar !== 'string') {
    throw new Error(`${where} is not a sample (no puzzle with pStar)`);
  }
  if (sample.puzzle.task !== options.task) throw new Error(`${where} is a ${sample.puzzle.task} sample, not ${options.task}`);
  if (typeof sample.query !== 'string') throw new Error(`${where} (${sample.puzzle.id}) has no query`);
  if (options.inputSize !== undefined) {
    const size = options.inputSize;
    if (!(sample.pixels instanceof Float32Array) || sample.width !== size || sample.height !== size || sample.pixels.length !== size * size) {
      throw new Error(
        `${where} (${sample.puzzle.id}) has ${sample.width}×${sample.height} model-input pixels; the checkpoint takes ${size}×${size}: ` +
          `regenerate the dataset at that input size, or leave out --data to generate the split on the fly`,
      );
    }
  }
}

/** The first `n` samples of the split, validated; fewer when the file holds fewer (`onShort` is told). */
export async function* datasetSamples(options: DatasetSplit, onShort?: (have: number) => void): AsyncGenerator<Sample> {
  const file = datasetFile(options);
  const recording = await readRecording<Sample>(file);
  let row = 0;
  for await (const sample of recording) {
    if (row >= options.n) return;
    checkSample(sample, file, row, options);
    row++;
    yield sample;
  }
  if (row < options.n) onShort?.(row);
}
