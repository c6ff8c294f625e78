/**
 * GC renderer: a deterministic SVG (thick edges under white node discs with large stroke-drawn labels)
 * rasterised by sharp twice from the same drawing: the dataset PNG at `pngSize` and the model input at
 * `inputSize`, so lines stay crisp at the small size instead of being downsampled.
 */
import sharp from 'sharp';
import type { Rendered } from '../task.ts';
import { labelPaths } from './glyphs.ts';
import type { Edge } from './graph.ts';
import { CANVAS, NODE_RADIUS, type Point } from './layout.ts';

const EDGE_WIDTH = 6;
const OUTLINE_WIDTH = 4;
const LABEL_HEIGHT = 34; // digit height in canvas units; a 30-unit disc leaves a clear margin
const LABEL_STROKE = 2.4; // in glyph units (the 16-unit glyph box is scaled to LABEL_HEIGHT)

const fmt = (x: number) => x.toFixed(2);

/** The drawing as SVG text, `size` pixels square (the viewBox is always CANVAS units). */
export function graphSvg(positions: readonly Point[], edges: readonly Edge[], size: number): string {
  const lines = edges
    .map(([i, j]) => `<line x1="${fmt(positions[i][0])}" y1="${fmt(positions[i][1])}" x2="${fmt(positions[j][0])}" y2="${fmt(positions[j][1])}"/>`)
    .join('');
  const discs = positions.map(([x, y]) => `<circle cx="${fmt(x)}" cy="${fmt(y)}" r="${NODE_RADIUS}"/>`).join('');
  const labels = positions.map(([x, y], v) => labelPaths(String(v), x, y, LABEL_HEIGHT)).join('');
  return (
    `<svg xmlns="http://www.w3.org/2000/svg" width="${size}" height="${size}" viewBox="0 0 ${CANVAS} ${CANVAS}">` +
    `<rect width="${CANVAS}" height="${CANVAS}" fill="#fff"/>` +
    `<g stroke="#000" stroke-width="${EDGE_WIDTH}" stroke-linecap="round">${lines}</g>` +
    `<g fill="#fff" stroke="#000" stroke-width="${OUTLINE_WIDTH}">${discs}</g>` +
    `<g fill="none" stroke="#000" stroke-width="${LABEL_STROKE}" stroke-linecap="round" stroke-linejoin="round">${labels}</g>` +
    `</svg>`
  );
}

// The drawing is opaque (a white background rect) and uses only black, white and their antialiased greys,
// so R = G = B and channel 0 is the exact grey image: extracting it is ~2x faster than flatten + b-w.

/** Greyscale PNG of the drawing at `size` px (deterministic bytes: fixed encoder settings). */
export async function renderPng(positions: readonly Point[], edges: readonly Edge[], size: number): Promise<Uint8Array> {
  const png = await sharp(Buffer.from(graphSvg(positions, edges, size)))
    .extractChannel(0)
    .png({ compressionLevel: 6, adaptiveFiltering: false })
    .toBuffer();
  return new Uint8Array(png.buffer, png.byteOffset, png.byteLength);
}

/** Model input: greyscale in [0,1] (1 = white paper), row-major size × size. */
export async function renderPixels(positions: readonly Point[], edges: readonly Edge[], size: number): Promise<Float32Array> {
  const { data, info } = await sharp(Buffer.from(graphSvg(positions, edges, size)))
    .extractChannel(0)
    .raw()
    .toBuffer({ resolveWithObject: true });
  if (info.width !== size || info.height !== size) {
    throw new Error(`gc render: sharp gave ${info.width}x${info.height}, expected ${size}x${size}`);
  }
  const pixels = new Float32Array(size * size);
  for (let p = 0, c = info.channels; p < pixels.length; p++) pixels[p] = data[p * c] / 255;
  return pixels;
}

export async function renderGraph(
  positions: readonly Point[],
  edges: readonly Edge[],
  pngSize: number,
  inputSize: number,
): Promise<Rendered> {
  const [png, pixels] = await Promise.all([renderPng(positions, edges, pngSize), renderPixels(positions, edges, inputSize)]);
  return { png, pixels, width: inputSize, height: inputSize };
}
