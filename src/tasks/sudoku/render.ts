/**
 * Sudoku renderer: MNIST digits composited into a ruled 9x9 grid, drawn straight into a greyscale buffer at
 * each target size (the dataset PNG and the model input are both rendered from the 28x28 sources, never
 * one downscaled from the other). Dark ink on white paper, as in GC: 1 = paper, 0 = ink.
 *
 * Every cell owns its own border pixels (half of each shared line), so at a model-input size divisible by
 * 9 each cell is exactly one patch and every patch has the same layout: frame, then the digit centred in
 * the interior. Cell lines are grey, the 3x3 box lines black, so they differ even where both are 1 px.
 */
import sharp from 'sharp';
import type { Rendered } from '../task.ts';
import { CELLS, type Grid } from './grid.ts';
import { glyph, type Glyph } from './mnist.ts';

const CELL_LINE = 0.55; // grey
const BOX_LINE = 0;

/** Which MNIST image draws each cell's digit (-1 for blanks). */
export type DigitChoice = Int32Array;

/** Weights resampling `from` source pixels onto `to` target pixels by area overlap (rows sum to 1). */
function areaWeights(from: number, to: number): Float32Array {
  const w = new Float32Array(to * from);
  const scale = from / to;
  for (let i = 0; i < to; i++) {
    const lo = i * scale;
    const hi = (i + 1) * scale;
    for (let j = Math.floor(lo); j < Math.min(from, Math.ceil(hi)); j++) {
      w[i * from + j] = (Math.min(hi, j + 1) - Math.max(lo, j)) / scale;
    }
  }
  return w;
}

/** `g` resampled to side × side by area averaging: W · G · Wᵀ. */
function resample(g: Glyph, side: number): Float32Array {
  const w = areaWeights(g.size, side);
  const tmp = new Float32Array(side * g.size); // [side, g.size]: rows resampled
  for (let i = 0; i < side; i++) {
    for (let j = 0; j < g.size; j++) {
      const wij = w[i * g.size + j];
      if (wij === 0) continue;
      for (let x = 0; x < g.size; x++) tmp[i * g.size + x] += wij * g.ink[j * g.size + x];
    }
  }
  const out = new Float32Array(side * side); // [side, side]
  for (let y = 0; y < side; y++) {
    for (let i = 0; i < side; i++) {
      let sum = 0;
      for (let x = 0; x < g.size; x++) sum += w[i * g.size + x] * tmp[y * g.size + x];
      out[y * side + i] = Math.min(1, sum);
    }
  }
  return out;
}

/** Half-widths in px of the cell and box lines at `size` (each cell draws its half of a shared line). */
function lineHalves(size: number): { cell: number; box: number } {
  return { cell: Math.max(1, Math.round(size / 300)), box: Math.max(1, Math.round(size / 120)) };
}

/**
 * The grid drawing as greyscale values in [0,1], row-major size × size. Cell k spans pixels
 * [round(k·size/9), round((k+1)·size/9)), exactly size/9 when size is divisible by 9.
 */
export function drawSudoku(givens: Grid, choice: DigitChoice, size: number): Float32Array {
  if (!Number.isInteger(size) || size < 36) throw new RangeError(`sudoku render: size must be an integer >= 36, got ${size}`);
  const pixels = new Float32Array(size * size).fill(1);
  const edge = (k: number) => Math.round((k * size) / 9);
  const halves = lineHalves(size);
  const half = (k: number) => (k % 3 === 0 ? halves.box : halves.cell); // line k lies between cells k-1 and k
  const shade = (k: number) => (k % 3 === 0 ? BOX_LINE : CELL_LINE);
  for (let r = 0; r < 9; r++) {
    for (let c = 0; c < 9; c++) {
      const [y0, y1, x0, x1] = [edge(r), edge(r + 1), edge(c), edge(c + 1)];
      // frame: top, bottom, left, right bands (box lines drawn last so they win at corners)
      const bands: [number, number, number, number, number, number][] = [
        [y0, y0 + half(r), x0, x1, shade(r), r % 3],
        [y1 - half(r + 1), y1, x0, x1, shade(r + 1), (r + 1) % 3],
        [y0, y1, x0, x0 + half(c), shade(c), c % 3],
        [y0, y1, x1 - half(c + 1), x1, shade(c + 1), (c + 1) % 3],
      ];
      bands.sort((a, b) => (a[5] === 0 ? 1 : 0) - (b[5] === 0 ? 1 : 0));
      for (const [ya, yb, xa, xb, value] of bands) {
        for (let y = ya; y < yb; y++) for (let x = xa; x < xb; x++) pixels[y * size + x] = value;
      }
      const cell = r * 9 + c;
      if (givens[cell] === 0) continue;
      const iy0 = y0 + half(r);
      const iy1 = y1 - half(r + 1);
      const ix0 = x0 + half(c);
      const ix1 = x1 - half(c + 1);
      const interior = Math.min(iy1 - iy0, ix1 - ix0);
      const margin = Math.floor(interior * 0.12);
      const side = interior - 2 * margin;
      if (side < 1) continue;
      const ink = resample(glyph(givens[cell], choice[cell]), side);
      const oy = iy0 + Math.floor((iy1 - iy0 - side) / 2);
      const ox = ix0 + Math.floor((ix1 - ix0 - side) / 2);
      for (let y = 0; y < side; y++) {
        for (let x = 0; x < side; x++) {
          const p = (oy + y) * size + ox + x;
          pixels[p] = Math.min(pixels[p], 1 - ink[y * side + x]);
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
