/**
 * Reading recordings: the header at once, the records streamed in chunk-sized batches (never the whole file
 * in memory), and repair of a torn tail. Reading never modifies the file — it may still be being written —
 * so a torn tail is reported and skipped; `repairRecording` (or a writer opening in append mode) truncates it.
 */
import fs from 'node:fs';
import { FrameCursor } from './cursor.ts';
import { checkMagic, decodePayload, MAGIC, RecordingError, warn } from './format.ts';
import { validateHeader, type RecordingHeader } from './header.ts';

export interface Recording<T> extends AsyncIterable<T> {
  readonly file: string;
  readonly header: RecordingHeader;
  /** The records in batches as they are decoded from each read chunk (fewer awaits than per record). */
  batches(): AsyncIterable<T[]>;
}

export interface RepairResult {
  readonly frames: number; // records kept (header excluded)
  readonly validBytes: number; // file size after repair
  readonly truncatedBytes: number; // torn bytes removed (0 when the file was whole)
}

const BATCH = 256;

/** Opens `file` synchronously, checks the magic and reads the header frame. */
export function openRecording(file: string): { fd: number; header: RecordingHeader; dataStart: number; size: number } {
  const fd = fs.openSync(file, 'r');
  try {
    const size = fs.fstatSync(fd).size;
    const magic = Buffer.alloc(MAGIC.length);
    fs.readSync(fd, magic, 0, MAGIC.length, 0);
    checkMagic(magic.subarray(0, Math.min(size, MAGIC.length)), file);
    const cursor = new FrameCursor(fd, file, size, MAGIC.length);
    const frame = cursor.next();
    if (!frame) throw new RecordingError(`${file}: no complete header frame at byte ${MAGIC.length} (cut while being created?)`);
    const header = validateHeader(decodePayload(frame.buf, frame.start, frame.end, file, frame.offset), file);
    return { fd, header, dataStart: cursor.offset, size };
  } catch (error) {
    fs.closeSync(fd);
    throw error;
  }
}

function tornMessage(file: string, offset: number, size: number): string {
  return `${file}: torn tail at byte ${offset} (${size - offset} bytes after the last complete frame)`;
}

export async function readRecording<T = unknown>(file: string): Promise<Recording<T>> {
  const { fd, header, dataStart } = openRecording(file);
  fs.closeSync(fd); // each iteration opens its own handle, so an unread Recording leaks nothing

  async function* batches(): AsyncGenerator<T[]> {
    const fd = fs.openSync(file, 'r');
    try {
      const cursor = new FrameCursor(fd, file, fs.fstatSync(fd).size, dataStart);
      let batch: T[] = [];
      for (let frame = cursor.next(); frame; frame = cursor.next()) {
        batch.push(decodePayload(frame.buf, frame.start, frame.end, file, frame.offset) as T);
        if (batch.length >= BATCH || cursor.buffered === 0) {
          yield batch;
          batch = [];
        }
      }
      if (batch.length > 0) yield batch;
      if (cursor.tornAt !== undefined) warn(`${tornMessage(file, cursor.tornAt, cursor.size)} ignored; repairRecording() truncates it`);
    } finally {
      fs.closeSync(fd);
    }
  }

  return {
    file,
    header,
    batches,
    async *[Symbol.asyncIterator]() {
      for await (const batch of batches()) yield* batch;
    },
  };
}

/**
 * Validates every frame and truncates a torn tail (with a warning naming the file and byte offset).
 * Corruption before the last frame throws: that is not what a crash leaves, so nothing is cut.
 */
export function repairRecording(file: string): RepairResult {
  const { fd, dataStart, size } = openRecording(file);
  let frames = 0;
  let cursor: FrameCursor;
  try {
    cursor = new FrameCursor(fd, file, size, dataStart);
    while (cursor.next()) frames++;
  } finally {
    fs.closeSync(fd);
  }
  if (cursor.tornAt === undefined) return { frames, validBytes: size, truncatedBytes: 0 };
  warn(`${tornMessage(file, cursor.tornAt, size)} truncated`);
  fs.truncateSync(file, cursor.tornAt);
  return { frames, validBytes: cursor.tornAt, truncatedBytes: size - cursor.tornAt };
}
