/**
 * Sudoku renderer: MNIST digits composited into a ruled 9x9 grid, drawn straight into a greyscale buffer at
 * each target size (the dataset PNG and the model input are both rendered from the 28x28 sources, never
 * one downscaled from the other). Dark ink on white paper, as in GC: 1 = paper, 0 = ink.
 *
 * Every cell owns the line along its top and left edge, so at a model-input size divisible by 9 each cell
 * is exactly one patch and every patch has the same layout: a line on top, a line on the left, the digit
 * filling the rest (at 72 px: 1-px lines and a 7x7 digit). Cell lines are grey, the 3x3 box lines black and
 * wider where the size allows, so the two differ even where both are 1 px.
 */
import sharp from 'sharp';
import type { Rendered } from '../task.ts';
import { CELLS, type Grid } from './grid.ts';
import { glyph, type Glyph } from './mnist.ts';

const CELL_LINE = 0.55; // grey
const BOX_LINE = 0;
// Area-averaging a 20-px stroke down to a 7-px cell greys it out; a gain keeps strokes dark at small sizes
// and only saturates antialiased edges at large ones.
const INK_GAIN = 1.5;

/** Which MNIST image draws each cell's digit (-1 for blanks). */
export type DigitChoice = Int32Array;

/**
 * Area-overlap weights resampling `from` source pixels onto `to` target pixels: target i takes weights
 * w[k] for source pixels lo[i] + k (rows sum to 1). Each target overlaps only a few sources, so the weights
 * are stored by range rather than as a dense to × from matrix.
 */
function areaWeights(from: number, to: number): { lo: Int32Array; hi: Int32Array; w: Float32Array[] } {
  const scale = from / to;
  const lo = new Int32Array(to);
  const hi = new Int32Array(to);
  const w: Float32Array[] = [];
  for (let i = 0; i < to; i++) {
    const a = i * scale;
    const b = (i + 1) * scale;
    lo[i] = Math.floor(a);
    hi[i] = Math.min(from, Math.ceil(b));
    const wi = new Float32Array(hi[i] - lo[i]);
    for (let j = lo[i]; j < hi[i]; j++) wi[j - lo[i]] = (Math.min(b, j + 1) - Math.max(a, j)) / scale;
    w.push(wi);
  }
  return { lo, hi, w };
}

/** `g` resampled to side × side by area averaging (W · G · Wᵀ), ink scaled by INK_GAIN and clipped to 1. */
function resample(g: Glyph, side: number): Float32Array {
  const { lo, hi, w } = areaWeights(g.size, side);
  const n = g.size;
  const rows = new Float32Array(side * n); // [side, n]: source rows combined
  for (let i = 0; i < side; i++) {
    for (let j = lo[i]; j < hi[i]; j++) {
      const wij = w[i][j - lo[i]];
      for (let x = 0; x < n; x++) rows[i * n + x] += wij * g.ink[j * n + x];
    }
  }
  const out = new Float32Array(side * side); // [side, side]: then source columns
  for (let y = 0; y < side; y++) {
    for (let i = 0; i < side; i++) {
      let sum = 0;
      for (let x = lo[i]; x < hi[i]; x++) sum += w[i][x - lo[i]] * rows[y * n + x];
      out[y * side + i] = Math.min(1, sum * INK_GAIN);
    }
  }
  return out;
}

/** Width in px of grid line k (0..9; multiples of 3 are box lines) at `size`. */
function lineWidth(k: number, size: number): number {
  return k % 3 === 0 ? Math.max(1, Math.round(size / 90)) : Math.max(1, Math.round(size / 224));
}

/**
 * The grid drawing as greyscale values in [0,1], row-major size × size. Cell k spans pixels
 * [round(k·size/9), round((k+1)·size/9)), exactly size/9 when size is divisible by 9; each cell owns the
 * line along its top and left edge, the last row and column also the outer border.
 */
export function drawSudoku(givens: Grid, choice: DigitChoice, size: number): Float32Array {
  if (!Number.isInteger(size) || size < 36) throw new RangeError(`sudoku render: size must be an integer >= 36, got ${size}`);
  const pixels = new Float32Array(size * size).fill(1);
  const edge = (k: number) => Math.round((k * size) / 9);
  // one glyph size for every cell: the smallest cell minus a box line, less a margin once cells are roomy
  // (72 px: 7-px digits, no margin; 144: 12 px; 448: 32 px, clear of the lines as in a printed puzzle)
  const interior = Math.floor(size / 9) - lineWidth(0, size);
  const side = interior - 2 * Math.floor(interior * (interior >= 20 ? 0.15 : 0.12));
  for (let cell = 0; cell < CELLS; cell++) {
    if (givens[cell] === 0) continue;
    const r = Math.floor(cell / 9);
    const c = cell % 9;
    const top = edge(r) + lineWidth(r, size);
    const left = edge(c) + lineWidth(c, size);
    const oy = top + Math.floor((edge(r + 1) - top - side) / 2);
    const ox = left + Math.floor((edge(c + 1) - left - side) / 2);
    const ink = resample(glyph(givens[cell], choice[cell]), side);
    for (let y = 0; y < side; y++) {
      for (let x = 0; x < side; x++) pixels[(oy + y) * size + ox + x] = 1 - ink[y * side + x];
    }
  }
  // lines over the digits (they only meet at the outer border); cell lines first so box lines win at crossings
  for (const box of [false, true]) {
    for (let k = 0; k <= 9; k++) {
      if ((k % 3 === 0) !== box) continue;
      const w = lineWidth(k, size);
      const from = k === 9 ? size - w : edge(k);
      const value = box ? BOX_LINE : CELL_LINE;
      for (let a = from; a < from + w; a++) {
        for (let b = 0; b < size; b++) {
          pixels[a * size + b] = value; // horizontal line k
          pixels[b * size + a] = value; // vertical line k
        }
      }
    }
  }
  return pixels;
}

/** Greyscale PNG of the drawing (deterministic bytes: fixed encoder settings). */
export async function encodePng(pixels: Float32Array, size: number): Promise<Uint8Array> {
  const bytes = Buffer.alloc(size * size);
  for (let p = 0; p < bytes.length; p++) bytes[p] = Math.round(pixels[p] * 255);
  const png = await sharp(bytes, { raw: { width: size, height: size, channels: 1 } })
    .toColourspace('b-w')
    .png({ compressionLevel: 6, adaptiveFiltering: false })
    .toBuffer();
  return new Uint8Array(png.buffer, png.byteOffset, png.byteLength);
}

/** Dataset PNG at `pngSize` and model-input pixels at `inputSize` of the same puzzle and digit images. */
export async function renderSudoku(givens: Grid, choice: DigitChoice, pngSize: number, inputSize: number): Promise<Rendered> {
  if (givens.length !== CELLS || choice.length !== CELLS) throw new Error(`sudoku render: expected ${CELLS} cells`);
  const png = await encodePng(drawSudoku(givens, choice, pngSize), pngSize);
  return { png, pixels: drawSudoku(givens, choice, inputSize), width: inputSize, height: inputSize };
}
