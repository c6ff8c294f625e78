/**
 * Sudoku renderer: MNIST digits composited into a ruled 9x9 grid, drawn straight into a greyscale buffer at
 * each target size (the dataset PNG and the model input are both rendered from the 28x28 sources, never
 * one downscaled from the other). Dark ink on white paper, as in GC: 1 = paper, 0 = ink.
 *
 * Every cell owns the line along its top and left edge, so at a model-input size divisible by 9 each cell
 * is exactly one patch and every patch has the same layout: a line on top, a line on the left, the digit
 * filling the rest (at 72 px: 1-px lines and a 7x7 digit). Cell lines are grey, the 3x3 box lines black and
 * wider where the size allows, so the two differ even where both are 1 px.
 *
 * The drawing goes into 8-bit greys (src/render/raster.ts) laid out as PNG scanlines for the dataset image,
 * encoded in this thread (src/render/png.ts); the model input is those greys / 255.
 */
import { encodeCanvas } from '../../render/png.ts';
import { clearCanvas, createCanvas, toFloat, type Canvas } from '../../render/raster.ts';
import type { Rendered } from '../task.ts';
import { CELLS, type Grid } from './grid.ts';
import { glyph, type Glyph } from './mnist.ts';

const CELL_LINE = 0.55; // grey
const BOX_LINE = 0;
// Area-averaging a ~20-px glyph down to 7 px greys out its 2-3-px strokes; a gain keeps them dark at small sizes
// and only saturates antialiased edges at large ones.
const INK_GAIN = 1.5;

/** Which MNIST image draws each cell's digit (-1 for blanks). */
export type DigitChoice = Int32Array;

/**
 * Area-overlap weights resampling `from` source pixels onto `to` target pixels: target i takes weights
 * w[k] for source pixels lo[i] + k (rows sum to 1). Each target overlaps only a few sources, so the weights
 * are stored by range rather than as a dense to × from matrix.
 */
interface AreaWeights {
  readonly lo: Int32Array;
  readonly hi: Int32Array;
  readonly w: Float32Array[];
}
const weightCache = new Map<number, AreaWeights>(); // from · 65536 + to: a handful of glyph and cell sizes

function areaWeights(from: number, to: number): AreaWeights {
  const key = from * 65536 + to;
  const cached = weightCache.get(key);
  if (cached) return cached;
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
  const weights = { lo, hi, w };
  weightCache.set(key, weights);
  return weights;
}

const byte = (v: number) => Math.round(v * 255);

let rowsScratch = new Float32Array(0);

/**
 * `g` resampled to side × side by area averaging (W · G · Wᵀ), ink scaled by INK_GAIN and clipped to 1,
 * written as paper-minus-ink greys into `canvas` with its top-left pixel at (ox, oy).
 */
function resampleInto(g: Glyph, side: number, canvas: Canvas, ox: number, oy: number): void {
  const { lo, hi, w } = areaWeights(g.size, side);
  const n = g.size;
  if (rowsScratch.length < side * n) rowsScratch = new Float32Array(side * n);
  const rows = rowsScratch; // [side, n]: source rows combined
  rows.fill(0, 0, side * n);
  for (let i = 0; i < side; i++) {
    const wi = w[i];
    for (let j = lo[i]; j < hi[i]; j++) {
      const wij = wi[j - lo[i]];
      for (let x = 0; x < n; x++) rows[i * n + x] += wij * g.ink[j * n + x];
    }
  }
  const { stride, offset, data } = canvas;
  for (let y = 0; y < side; y++) {
    const at = offset + (oy + y) * stride + ox;
    for (let i = 0; i < side; i++) {
      const wi = w[i];
      let sum = 0;
      for (let x = lo[i]; x < hi[i]; x++) sum += wi[x - lo[i]] * rows[y * n + x];
      data[at + i] = byte(1 - Math.fround(Math.min(1, sum * INK_GAIN))); // then source columns
    }
  }
}

/** Width in px of grid line k (0..9; multiples of 3 are box lines) at `size`. */
function lineWidth(k: number, size: number): number {
  return k % 3 === 0 ? Math.max(1, Math.round(size / 90)) : Math.max(1, Math.round(size / 224));
}

// One canvas per (size, layout) reused by every drawing in this thread (a fresh buffer per image is garbage
// to collect); drawSudoku's callers below copy out before the next drawing.
const canvases = new Map<string, Canvas>();

/**
 * The grid drawing as 8-bit greys (255 = paper) on this thread's reused canvas for `size` (valid until the
 * next call; `rowPrefix` 1 lays it out as PNG scanlines). Cell k spans pixels [round(k·size/9),
 * round((k+1)·size/9)), exactly size/9 when size is divisible by 9; each cell owns the line along its top
 * and left edge, the last row and column also the outer border.
 */
export function drawSudoku(givens: Grid, choice: DigitChoice, size: number, rowPrefix = 0): Canvas {
  if (!Number.isInteger(size) || size < 36) throw new RangeError(`sudoku render: size must be an integer >= 36, got ${size}`);
  const key = `${size}/${rowPrefix}`;
  let canvas = canvases.get(key);
  if (canvas) clearCanvas(canvas);
  else canvases.set(key, (canvas = createCanvas(size, size, 255, rowPrefix)));
  const { stride, offset, data } = canvas;
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
    resampleInto(glyph(givens[cell], choice[cell]), side, canvas, ox, oy);
  }
  // lines over the digits (they only meet at the outer border); cell lines first so box lines win at crossings
  for (const box of [false, true]) {
    for (let k = 0; k <= 9; k++) {
      if ((k % 3 === 0) !== box) continue;
      const w = lineWidth(k, size);
      const from = k === 9 ? size - w : edge(k);
      const value = byte(box ? BOX_LINE : CELL_LINE);
      for (let a = from; a < from + w; a++) {
        data.fill(value, offset + a * stride, offset + a * stride + size); // horizontal line k
        for (let b = 0; b < size; b++) data[offset + b * stride + a] = value; // vertical line k
      }
    }
  }
  return canvas;
}

/** Dataset PNG at `pngSize` and model-input pixels at `inputSize` of the same puzzle and digit images. */
export async function renderSudoku(givens: Grid, choice: DigitChoice, pngSize: number, inputSize: number): Promise<Rendered> {
  if (givens.length !== CELLS || choice.length !== CELLS) throw new Error(`sudoku render: expected ${CELLS} cells`);
  const png = encodeCanvas(drawSudoku(givens, choice, pngSize, 1));
  return { png, pixels: toFloat(drawSudoku(givens, choice, inputSize)), width: inputSize, height: inputSize };
}
