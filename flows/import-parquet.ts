/**
 * Flow: a Hugging Face layout parquet file (ours or the paper's) back into a dataset shard — `asymflow import`.
 *
 *   rows (row group by row group) ─ puzzle (import-puzzle.ts) + pixels from the PNG ─ record DIR/<task>-<split>.msgpack
 *
 * The PNG bytes are kept exactly as stored. Model-input pixels: for our own rows (asymflow ground_truth and
 * gen's config in the file's `asymflow` metadata) the task re-renders the puzzle, and when its PNG equals the
 * stored bytes its pixels are exactly gen's; otherwise (the paper's rows, or another renderer version) they
 * are the PNG resized to `inputSize` (image-pixels.ts), which only approximates a renderer's own
 * rasterisation (Sudoku's input has an ink gain a resize lacks). A missing column, an undecodable image or an
 * unrecoverable puzzle stops the import with the file and the row. The shard is written under a temporary
 * name and renamed into place when every row is in, so a failure or a kill leaves the previous shard (or
 * none); an existing shard is refused unless `overwrite`.
 */
import path from 'node:path';
import { ensureDir } from '../src/io/atomic-write.ts';
import { ownerVerb, refuseExisting } from '../src/io/output-path.ts';
import { acquireRunLock, type RunLock } from '../src/io/run-lock.ts';
import { RecordingWriter } from '../src/recording/index.ts';
import { pixelsFromImage } from '../src/data/image-pixels.ts';
import { importPuzzle, inferTask, type ImportedPuzzle } from '../src/data/import-puzzle.ts';
import { parquetKeyValues, readHfParquet } from '../src/data/parquet-read.ts';
import type { Sample } from '../src/records.ts';
import { getTask } from '../src/tasks/registry.ts';
import type { Task, TaskName, TaskOptions } from '../src/tasks/task.ts';
import { shardFile } from './generate.ts';

export interface ImportOptions {
  readonly parquet: string;
  readonly out: string;
  readonly split: string;
  readonly task?: TaskName; // default: inferred from the first row
  readonly inputSize?: number; // default: the task's inputSize
  readonly overwrite?: boolean; // replace an existing shard of this task and split
  readonly log?: (line: string) => void; // the summary lines (what was imported, how): the verb's result
}

export interface ImportSummary {
  readonly task: TaskName;
  readonly split: string;
  readonly rows: number;
  readonly file: string;
  readonly recovered: Readonly<Record<ImportedPuzzle['source'], number>>; // rows per way the puzzle came back
  readonly pixels: Readonly<Record<'rendered' | 'resized', number>>; // rows per way the model input came back
}

export async function runImport({
  parquet,
  out,
  split,
  task: given,
  inputSize: givenSize,
  overwrite = false,
  log = () => {},
}: ImportOptions): Promise<ImportSummary> {
  const owner = ownerVerb(out);
  if (owner !== undefined && owner !== 'unknown')
    throw new Error(`import: --out ${path.resolve(out)} is an asymflow ${owner} run directory, not a dataset directory; choose another --out`);
  if (given) refuseExisting(shardFile(out, given, split), 'import:', overwrite);
  let lock: RunLock | undefined;
  let writer: RecordingWriter | undefined;
  let task: TaskName | undefined = given;
  let size = givenSize;
  const recovered = { asymflow: 0, rebuilt: 0 };
  const pixelsFrom = { rendered: 0, resized: 0 };
  let failed = true;
  let rows = 0;
  const genOptions = await genTaskOptions(parquet);
  let taskModule: Task | undefined;
  try {
    for await (const { row, index } of readHfParquet(parquet)) {
      const where = `${parquet}: row ${index}`;
      if (task === undefined) {
        task = inferTask(row);
        if (task === undefined) throw new Error(`${where}: cannot tell the task from ground_truth or query; give --task gc|sudoku`);
      }
      if (size === undefined) size = Number((await getTask(task)).defaults.inputSize);
      if (writer === undefined) {
        refuseExisting(shardFile(out, task, split), 'import:', overwrite);
        ensureDir(out);
        lock = acquireRunLock(out, 'import', `.${task}-${split}.lock`);
        writer = RecordingWriter.open(
          shardFile(out, task, split),
          {
            kind: 'samples',
            config: { task, split, importedFrom: path.basename(parquet), inputSize: size },
            meta: { generator: 'asymflow import' },
          },
          { atomic: true },
        );
      }
      let imported: ImportedPuzzle;
      try {
        imported = importPuzzle(row, { task, split, index });
      } catch (error) {
        throw new Error(`${where}: ${(error as Error).message}`);
      }
      taskModule ??= await getTask(task);
      let pixels =
        imported.source === 'asymflow' && genOptions
          ? await renderedPixels(taskModule, imported, row.image.bytes, { ...genOptions, inputSize: size })
          : undefined;
      pixelsFrom[pixels ? 'rendered' : 'resized']++;
      try {
        pixels ??= await pixelsFromImage(row.image.bytes, size);
      } catch (error) {
        throw new Error(
          `${where}: the image (${row.image.bytes.length} bytes${row.image.path ? `, ${row.image.path}` : ''}) cannot be decoded: ${(error as Error).message}`,
        );
      }
      const sample: Sample = {
        puzzle: imported.puzzle,
        png: row.image.bytes,
        pixels,
        width: size,
        height: size,
        query: row.query,
        ...(row.response !== null ? { response: row.response } : {}),
      };
      writer.write(sample);
      recovered[imported.source]++;
      rows++;
    }
    failed = false;
  } finally {
    if (failed)
      writer?.abort(); // a partial shard would pass for a whole one: the previous one stays
    else writer?.close();
    lock?.release();
  }
  if (task === undefined || writer === undefined) throw new Error(`${parquet}: no rows to import`);
  log(
    `import ${parquet}: ${rows} ${task} ${split} rows (${recovered.asymflow} asymflow puzzles, ${recovered.rebuilt} rebuilt from captions/ground_truth) → ${writer.file}`,
  );
  log(`  model input: ${pixelsFrom.rendered} re-rendered (equal to gen's), ${pixelsFrom.resized} resized from the PNG`);
  return { task, split, rows, file: writer.file, recovered, pixels: pixelsFrom };
}

/** gen's task options from our file's `asymflow` metadata, or undefined for a foreign file. */
async function genTaskOptions(parquet: string): Promise<TaskOptions | undefined> {
  let text: string | undefined;
  try {
    text = (await parquetKeyValues(parquet)).asymflow;
  } catch {
    return undefined; // readHfParquet reports an unreadable file with its own message
  }
  if (!text) return undefined;
  try {
    const options = (JSON.parse(text) as { taskOptions?: unknown }).taskOptions;
    return options && typeof options === 'object' ? (options as TaskOptions) : undefined;
  } catch {
    return undefined;
  }
}

/** The task's own model input for an asymflow puzzle, when its PNG re-renders to exactly the stored bytes. */
async function renderedPixels(task: Task, { puzzle }: ImportedPuzzle, png: Uint8Array, options: TaskOptions): Promise<Float32Array | undefined> {
  try {
    const rendered = await task.render(puzzle, options);
    return Buffer.from(rendered.png).equals(Buffer.from(png)) ? rendered.pixels : undefined;
  } catch {
    return undefined; // options this version of the task rejects: fall back to the PNG
  }
}
