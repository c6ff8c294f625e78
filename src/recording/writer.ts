/**
 * Appends records to a recording. Frames are batched in memory and written with one `write(2)` per flush —
 * every `flushEvery` frames, `flushBytes` bytes or `flushMs` after the first pending frame, and on close — so
 * a crash loses at most the frames of the batch in flight, and a killed process leaves whole frames on disk.
 * With `atomic`, a new file is written under a temporary name and renamed into place on close: a crash or
 * `abort()` leaves the previous file (or none), never a partial one that reads as whole.
 */
import fs from 'node:fs';
import { AtomicFile } from '../io/atomic-write.ts';
import { encodeFrame, MAGIC, RecordingError } from './format.ts';
import { completeHeader, type HeaderInit, type RecordingHeader } from './header.ts';
import { openRecording, repairRecording } from './reader.ts';

export interface WriterOptions {
  /** Continue an existing file (its header is kept; a torn tail is truncated first). Default false: truncate. */
  readonly append?: boolean;
  readonly flushEvery?: number; // frames per batch, default 64
  readonly flushBytes?: number; // bytes per batch, default 4 MiB
  readonly flushMs?: number; // longest a frame waits in memory, default 250
  /** Called after each flush with the number of records now on disk (for progress and crash tests). */
  readonly onFlush?: (recordsOnDisk: number) => void;
  /** Write a new file under a temporary name, renamed into place by close() (ignored with append). */
  readonly atomic?: boolean;
}

const open = new Set<RecordingWriter>();

/**
 * Hands every open writer's pending frames to the OS and syncs them. A checkpoint calls this before it
 * commits, so after a kill every record of a checkpointed step is on disk (a resume trims only later steps).
 */
export function flushOpenRecordings(): void {
  for (const writer of open) writer.sync();
}

export class RecordingWriter {
  private pending: Buffer[] = [];
  private pendingBytes = 0;
  private timer: NodeJS.Timeout | undefined;
  private written: number; // records handed to write(2)
  private closed = false;

  private constructor(
    readonly file: string,
    readonly header: RecordingHeader,
    private readonly fd: number,
    existing: number,
    private readonly options: WriterOptions,
    private readonly atomicFile?: AtomicFile,
  ) {
    this.written = existing;
    open.add(this);
  }

  static open(file: string, init: HeaderInit, options: WriterOptions = {}): RecordingWriter {
    for (const key of ['flushEvery', 'flushBytes', 'flushMs'] as const) {
      const v = options[key];
      if (v !== undefined && !(Number.isInteger(v) && v >= 0)) {
        throw new RecordingError(`RecordingWriter option ${key} must be a non-negative integer, got ${String(v)}`);
      }
    }
    if (options.append && fs.existsSync(file) && fs.statSync(file).size > 0) {
      const { frames } = repairRecording(file);
      const { fd: readFd, header } = openRecording(file);
      fs.closeSync(readFd);
      if (header.kind !== init.kind) {
        throw new RecordingError(`${file}: cannot append '${init.kind}' records to a '${header.kind}' recording`);
      }
      return new RecordingWriter(file, header, fs.openSync(file, 'a'), frames, options);
    }
    const header = completeHeader(init);
    const atomicFile = options.atomic ? new AtomicFile(file) : undefined;
    const fd = atomicFile?.fd ?? fs.openSync(file, 'w');
    fs.writeSync(fd, Buffer.concat([MAGIC, encodeFrame(header)]));
    return new RecordingWriter(file, header, fd, 0, options, atomicFile);
  }

  /** Records on disk (handed to the OS) so far, including those a previous writer appended. */
  get recordsOnDisk(): number {
    return this.written;
  }

  write(record: unknown): void {
    if (this.closed) throw new RecordingError(`${this.file}: write after close`);
    let frame: Buffer;
    try {
      frame = encodeFrame(record);
    } catch (error) {
      throw new RecordingError(`${this.file}: record ${this.written + this.pending.length} cannot be packed: ${(error as Error).message}`);
    }
    this.pending.push(frame);
    this.pendingBytes += frame.length;
    const { flushEvery = 64, flushBytes = 4 << 20, flushMs = 250 } = this.options;
    if (this.pending.length >= flushEvery || this.pendingBytes >= flushBytes) this.flush();
    else if (!this.timer) {
      this.timer = setTimeout(() => this.flush(), flushMs);
      this.timer.unref(); // a pending flush must not keep the process alive; close() flushes the rest
    }
  }

  flush(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    if (this.closed || this.pending.length === 0) return;
    const batch = this.pending.length === 1 ? this.pending[0] : Buffer.concat(this.pending, this.pendingBytes);
    let done = 0;
    while (done < batch.length) done += fs.writeSync(this.fd, batch, done, batch.length - done);
    this.written += this.pending.length;
    this.pending = [];
    this.pendingBytes = 0;
    this.options.onFlush?.(this.written);
  }

  /** Flushes and syncs to disk, keeping the file open. */
  sync(): void {
    if (this.closed) return;
    this.flush();
    fs.fdatasyncSync(this.fd);
  }

  /** Flushes, syncs to disk and closes (an atomic file is renamed into place); calling it again does nothing. */
  close(): void {
    if (this.closed) return;
    this.flush();
    this.closed = true;
    open.delete(this);
    if (this.atomicFile) return this.atomicFile.commit();
    try {
      fs.fdatasyncSync(this.fd);
    } finally {
      fs.closeSync(this.fd);
    }
  }

  /** Closes without keeping anything: an atomic file's temporary is removed (the previous file stays). */
  abort(): void {
    if (this.closed) return;
    if (this.timer) clearTimeout(this.timer);
    this.closed = true;
    open.delete(this);
    if (this.atomicFile) return this.atomicFile.abort();
    fs.closeSync(this.fd); // in place: what was flushed stays, the pending batch is dropped
  }
}
