/**
 * record — writes every value to a recording file and passes it on unchanged (a tap). The file is opened on
 * subscribe (truncated unless `append`), written in batches, and closed in finalize: on complete, on error
 * and on unsubscribe, so whatever went through is on disk.
 *
 *   source: --a--b--c--|
 *   output: --a--b--c--|        file: header, a, b, c
 */
import { defer, finalize, tap, type MonoTypeOperatorFunction } from 'rxjs';
import { RecordingWriter, type HeaderInit, type WriterOptions } from '../src/recording/index.ts';

export function record<T>(
  file: string,
  header: HeaderInit = { kind: 'records' },
  options: WriterOptions = {},
): MonoTypeOperatorFunction<T> {
  return (source) =>
    defer(() => {
      const writer = RecordingWriter.open(file, header, options);
      return source.pipe(
        tap((value) => writer.write(value)),
        finalize(() => {
          try {
            writer.close();
          } catch (error) {
            // finalize cannot error the stream any more; say loudly that the tail of the file may be missing
            process.stderr.write(`asymflow: error: closing recording ${file} failed: ${(error as Error).message}\n`);
          }
        }),
      );
    });
}
