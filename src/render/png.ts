/**
 * Greyscale PNG encoding in this thread: rows with filter type None, deflated by node:zlib with the Z_RLE
 * strategy, so the same pixels give the same bytes. On the task drawings (long runs of white and of black)
 * Z_RLE was both the fastest and the smallest of zlib's settings (448-px GC: 0.30 ms and 17 KB against
 * 0.45 ms / 21 KB at level 1 and 1.6 ms / 18 KB at level 6; the Up filter made every setting larger), and
 * encoding here rather than through sharp saves a libvips pipeline and a thread-pool hop per image.
 */
import zlib from 'node:zlib';
import { crc32 } from '../recording/crc32.ts';
import type { Canvas } from './raster.ts';

const SIGNATURE = Uint8Array.of(0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a);

function chunk(type: string, data: Uint8Array): Uint8Array {
  const out = new Uint8Array(12 + data.length);
  const view = new DataView(out.buffer);
  view.setUint32(0, data.length);
  for (let i = 0; i < 4; i++) out[4 + i] = type.charCodeAt(i);
  out.set(data, 8);
  view.setUint32(8 + data.length, crc32(out.subarray(4, 8 + data.length)));
  return out;
}

/**
 * PNG bytes of 8-bit greyscale scanlines: `height` rows of a filter-type byte then `width` pixels (a canvas
 * made with rowPrefix 1 is exactly this).
 */
export function encodeScanlines(scanlines: Uint8Array, width: number, height: number): Uint8Array {
  if (!Number.isInteger(width) || !Number.isInteger(height) || width < 1 || height < 1) {
    throw new RangeError(`png: size must be positive integers, got ${width}x${height}`);
  }
  if (scanlines.length !== (width + 1) * height) throw new RangeError(`png: ${scanlines.length} scanline bytes for ${width}x${height}`);
  const header = new Uint8Array(13);
  const view = new DataView(header.buffer);
  view.setUint32(0, width);
  view.setUint32(4, height);
  header.set([8, 0, 0, 0, 0], 8); // 8-bit greyscale, deflate, adaptive filtering method, no interlace
  const idat = zlib.deflateSync(scanlines, { level: 6, memLevel: 9, strategy: zlib.constants.Z_RLE });
  const parts = [SIGNATURE, chunk('IHDR', header), chunk('IDAT', idat), chunk('IEND', new Uint8Array(0))];
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

/** PNG bytes of a canvas (copied into scanlines unless it already is them). */
export function encodeCanvas(canvas: Canvas): Uint8Array {
  const { width, height, stride, offset, data } = canvas;
  if (stride === width + 1 && offset === 1 && data.length === stride * height) {
    let filtersNone = true;
    for (let y = 0; y < height && filtersNone; y++) filtersNone = data[y * stride] === 0;
    if (filtersNone) return encodeScanlines(data, width, height);
  }
  const scanlines = new Uint8Array((width + 1) * height);
  for (let y = 0; y < height; y++) scanlines.set(data.subarray(offset + y * stride, offset + y * stride + width), y * (width + 1) + 1);
  return encodeScanlines(scanlines, width, height);
}
