/**
 * record — writes every value to a recording file and passes it on unchanged (a tap). The file is opened on
 * subscribe (truncated unless `append`), written in batches, and closed in finalize: on complete, on error
 * and on unsubscribe, so whatever went through is on disk. With `atomic` (outputs that must be whole: a
 * dataset shard, `--record FILE` of eval and gen) the file appears only when the stream completes; an error
 * or an unsubscribe before that leaves the previous file, or none.
 *
 *   source: --a--b--c--|
 *   output: --a--b--c--|        file: header, a, b, c
 */
import { defer, tap, type MonoTypeOperatorFunction } from 'rxjs';
import { RecordingWriter, type HeaderInit, type WriterOptions } from '../src/recording/index.ts';

export function record<T>(file: string, header: HeaderInit = { kind: 'records' }, options: WriterOptions = {}): MonoTypeOperatorFunction<T> {
  return (source) =>
    defer(() => {
      const writer = RecordingWriter.open(file, header, options);
      const end = () => {
        try {
          if (options.atomic) writer.abort();
          else writer.close();
        } catch (error) {
          // the stream has ended already; say loudly that the tail of the file may be missing
          process.stderr.write(`asymflow: error: closing recording ${file} failed: ${(error as Error).message}\n`);
        }
      };
      return source.pipe(
        tap({
          next: (value) => writer.write(value),
          complete: () => writer.close(), // a failed close (disk full) errors the stream
          error: end,
          unsubscribe: end,
        }),
      );
    });
}
