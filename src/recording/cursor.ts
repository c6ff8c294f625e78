/**
 * Walks the frames of a recording from a file offset, reading 1 MiB chunks. A frame that is cut short at the
 * end of the file, or a bad frame followed only by zeros (what a crash leaves), ends the walk and sets
 * `tornAt`; a bad frame with good data after it is corruption and throws naming the file and byte offset.
 * Reads are synchronous so the writer can repair on open; async callers yield between chunks.
 */
import fs from 'node:fs';
import { nextFrame, RecordingError } from './format.ts';

const CHUNK = 1 << 20;

export interface FrameRef {
  readonly buf: Buffer;
  readonly start: number; // payload is buf[start, end)
  readonly end: number;
  readonly offset: number; // file offset of the frame's prefix
}

export class FrameCursor {
  private buf: Buffer = Buffer.alloc(0);
  private bufOffset: number; // file offset of buf[0]
  private pos = 0;
  private filled = 0;
  /** File offset of a torn tail, once the walk has met one. */
  tornAt: number | undefined;

  constructor(
    private readonly fd: number,
    private readonly file: string,
    readonly size: number,
    offset: number,
  ) {
    this.bufOffset = offset;
  }

  /** File offset just past the last frame returned. */
  get offset(): number {
    return this.bufOffset + this.pos;
  }

  /** Bytes already in memory past the cursor; 0 means the next `next()` reads from disk. */
  get buffered(): number {
    return this.filled - this.pos;
  }

  next(): FrameRef | undefined {
    for (;;) {
      const offset = this.offset;
      if (offset >= this.size) return undefined;
      const step = nextFrame(this.buf, this.pos, this.filled);
      if (step.type === 'frame') {
        const ref = { buf: this.buf, start: step.start, end: step.end, offset };
        this.pos = step.end;
        return ref;
      }
      if (step.type === 'need') {
        if (offset + step.total > this.size) return this.torn(offset);
        this.fill(step.total);
        continue;
      }
      // a bad length hides where the frame ends, so only zeros from here on make it a torn tail
      const after = step.type === 'bad-crc' ? offset + step.total : offset;
      if (after === this.size || this.zeroFrom(after)) return this.torn(offset);
      const what = step.type === 'bad-crc' ? 'checksum mismatch' : `impossible frame length ${step.length}`;
      throw new RecordingError(`${this.file}: corrupt frame at byte ${offset} (${what}) with data after it`);
    }
  }

  private torn(offset: number): undefined {
    this.tornAt = offset;
    return undefined;
  }

  /** Makes buf hold at least `total` bytes from pos (or up to end of file). */
  private fill(total: number): void {
    const keep = this.filled - this.pos;
    const want = Math.min(Math.max(total, CHUNK), this.size - this.offset);
    const next = Buffer.allocUnsafe(want);
    this.buf.copy(next, 0, this.pos, this.filled);
    let have = keep;
    while (have < want) {
      const n = fs.readSync(this.fd, next, have, want - have, this.offset + have);
      if (n === 0) break;
      have += n;
    }
    this.bufOffset = this.offset;
    this.buf = next;
    this.pos = 0;
    this.filled = have;
  }

  private zeroFrom(from: number): boolean {
    const chunk = Buffer.allocUnsafe(Math.min(CHUNK, Math.max(0, this.size - from)));
    for (let at = from; at < this.size;) {
      const n = fs.readSync(this.fd, chunk, 0, Math.min(chunk.length, this.size - at), at);
      if (n === 0) break;
      for (let i = 0; i < n; i++) if (chunk[i] !== 0) return false;
      at += n;
    }
    return true;
  }
}
