/**
 * The on-disk layout of a recording (docs/architecture.md §7):
 *
 *   MAGIC (8 bytes) | frame(header) | frame(record) | frame(record) | …
 *   frame = u32 LE payload length | u32 LE CRC-32 of payload | payload (one msgpack value)
 *
 * The length prefix lets a reader find the end of each frame without decoding it, and the CRC tells a frame
 * cut short or zero-filled by a crash from a good one. Payloads are packed with msgpackr `moreTypes: true`
 * because without it a Float32Array comes back as raw bytes; plain maps (no msgpackr records) keep the
 * files readable by any msgpack implementation that understands the typed-array extension.
 */
import { Packr } from 'msgpackr';
import { crc32 } from './crc32.ts';

export const MAGIC = Buffer.from('AFREC\0\0\x01', 'latin1'); // last byte: framing version
export const FRAME_PREFIX = 8;
/** Larger lengths can only come from corruption; it also bounds what a bad prefix makes us allocate. */
export const MAX_FRAME = 1 << 30;

// copyBuffers: a decoded Uint8Array must own its memory (not view a 1 MiB read chunk), so it can be kept
// or transferred to a worker on its own.
export const packr = new Packr({ moreTypes: true, useRecords: false, copyBuffers: true });

export class RecordingError extends Error {
  override readonly name = 'RecordingError';
}

/** Packs one value into a complete frame (prefix + payload). */
export function encodeFrame(value: unknown): Buffer {
  const payload = packr.pack(value);
  const frame = Buffer.allocUnsafe(FRAME_PREFIX + payload.length);
  frame.writeUInt32LE(payload.length, 0);
  frame.writeUInt32LE(crc32(payload), 4);
  payload.copy(frame, FRAME_PREFIX);
  return frame;
}

/** What lies at `pos` in `buf`: a whole frame, a frame that needs more bytes, or a frame that cannot be right. */
export type FrameStep =
  | { readonly type: 'frame'; readonly start: number; readonly end: number } // payload is buf[start, end)
  | { readonly type: 'need'; readonly total: number } // bytes needed from pos for the frame to be complete
  | { readonly type: 'bad-length'; readonly length: number }
  | { readonly type: 'bad-crc'; readonly total: number };

export function nextFrame(buf: Uint8Array, pos: number, end: number): FrameStep {
  if (end - pos < FRAME_PREFIX) return { type: 'need', total: FRAME_PREFIX };
  const view = new DataView(buf.buffer, buf.byteOffset + pos, FRAME_PREFIX);
  const length = view.getUint32(0, true);
  if (length === 0 || length > MAX_FRAME) return { type: 'bad-length', length };
  const total = FRAME_PREFIX + length;
  if (end - pos < total) return { type: 'need', total };
  const start = pos + FRAME_PREFIX;
  if (crc32(buf.subarray(start, pos + total)) !== view.getUint32(4, true)) return { type: 'bad-crc', total };
  return { type: 'frame', start, end: pos + total };
}

export function checkMagic(buf: Uint8Array, file: string): void {
  if (buf.length < MAGIC.length || !MAGIC.equals(buf.subarray(0, MAGIC.length))) {
    throw new RecordingError(`${file}: not an asymflow recording (bad magic at byte 0)`);
  }
}

export function decodePayload(buf: Uint8Array, start: number, end: number, file: string, offset: number): unknown {
  try {
    return packr.unpack(buf.subarray(start, end));
  } catch (error) {
    throw new RecordingError(`${file}: frame at byte ${offset} does not decode: ${(error as Error).message}`);
  }
}

export function warn(message: string): void {
  process.stderr.write(`asymflow: warning: ${message}\n`);
}
