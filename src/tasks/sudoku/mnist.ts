/**
 * MNIST digit glyphs from the `mnist` package (10,000 28x28 images in its JSON files, ink in [0,1]).
 * The package is loaded once, lazily, on first use (about 0.2 s, 20 MB); each glyph is cropped to its
 * ink's bounding box and centred in a square, so every cell shows its digit at the same scale however
 * the writer placed it in the 28x28 frame. Cropped glyphs are cached.
 */
import { createRequire } from 'node:module';

const SIDE = 28;
const INK_THRESHOLD = 0.1; // faint antialiasing at the fringe does not count towards the bounding box

interface MnistDigit {
  readonly length: number;
  readonly raw: readonly number[];
}

/** A square ink image (1 = ink), row-major size × size. */
export interface Glyph {
  readonly size: number;
  readonly ink: Float32Array;
}

let digits: readonly MnistDigit[] | undefined;
const glyphs = new Map<number, Glyph>();

function load(): readonly MnistDigit[] {
  digits ??= createRequire(import.meta.url)('mnist') as MnistDigit[];
  return digits;
}

/** How many images of `digit` (0..9) the package holds. */
export function glyphCount(digit: number): number {
  if (!Number.isInteger(digit) || digit < 0 || digit > 9) throw new RangeError(`mnist: digit must be 0-9, got ${digit}`);
  return load()[digit].length;
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
  const raw = load()[digit].raw;
  const base = index * SIDE * SIDE;
  let top = SIDE;
  let bottom = -1;
  let left = SIDE;
  let right = -1;
  for (let y = 0; y < SIDE; y++) {
    for (let x = 0; x < SIDE; x++) {
      if (raw[base + y * SIDE + x] > INK_THRESHOLD) {
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
    for (let x = 0; x < width; x++) ink[(oy + y) * size + ox + x] = raw[base + (top + y) * SIDE + left + x];
  }
  const result = { size, ink };
  glyphs.set(key, result);
  return result;
}
