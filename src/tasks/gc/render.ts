/**
 * GC renderer: thick edges under white node discs with black outlines and large stroke-drawn labels, drawn
 * twice from the same geometry by the rasteriser in src/render/: the dataset PNG at `pngSize` and the model
 * input at `inputSize`, so lines stay crisp at the small size instead of being downsampled.
 */
import { encodeCanvas } from '../../render/png.ts';
import { clearCanvas, createCanvas, outlinedDisc, strokeSegment, toFloat, type Canvas } from '../../render/raster.ts';
import { paintStamp, unionStamp, type Stamp } from '../../render/stamp.ts';
import type { Rendered } from '../task.ts';
import { GLYPH_HEIGHT, labelSegments } from './glyphs.ts';
import type { Edge } from './graph.ts';
import { CANVAS, NODE_RADIUS, type Point } from './layout.ts';

// in canvas units (CANVAS square, scaled to the pixel size)
const EDGE_WIDTH = 6;
const OUTLINE_WIDTH = 4;
const LABEL_HEIGHT = 34; // digit height; a 30-unit disc leaves a clear margin
const LABEL_STROKE = 2.4 * (LABEL_HEIGHT / GLYPH_HEIGHT); // 2.4 glyph units

/** Label positions are rounded to a quarter pixel, so each label has at most 16 stamps per size. */
const LABEL_PHASES = 4;
const labelStamps = new Map<string, Stamp>();

/**
 * The coverage of `label` centred at pixel (cx, cy) at scale k, as a cached stamp and the whole-pixel shift
 * that puts it there: a label is drawn from its segments once per (label, scale, sub-pixel phase) and
 * blitted after, which is most of the drawing's cost saved.
 */
function labelStamp(label: string, cx: number, cy: number, k: number): { stamp: Stamp; dx: number; dy: number } {
  const qx = Math.round(cx * LABEL_PHASES) / LABEL_PHASES;
  const qy = Math.round(cy * LABEL_PHASES) / LABEL_PHASES;
  const dx = Math.floor(qx);
  const dy = Math.floor(qy);
  const key = `${label}/${k}/${qx - dx}/${qy - dy}`;
  let stamp = labelStamps.get(key);
  if (!stamp) {
    stamp = unionStamp(labelSegments(label, qx - dx, qy - dy, LABEL_HEIGHT * k), (LABEL_STROKE / 2) * k);
    labelStamps.set(key, stamp);
  }
  return { stamp, dx, dy };
}

// One canvas per (size, layout) reused by every drawing in this thread: a fresh 200 KB buffer per image made
// garbage collection a tenth of the render time. Only drawGraph's callers below see it, and they copy out.
const canvases = new Map<string, Canvas>();

/**
 * The drawing at `size` px square, on this thread's reused canvas for that size (valid until the next call);
 * `rowPrefix` 1 lays it out as PNG scanlines.
 */
export function drawGraph(positions: readonly Point[], edges: readonly Edge[], size: number, rowPrefix = 0): Canvas {
  const k = size / CANVAS;
  const key = `${size}/${rowPrefix}`;
  let canvas = canvases.get(key);
  if (canvas) clearCanvas(canvas);
  else canvases.set(key, (canvas = createCanvas(size, size, 255, rowPrefix)));
  for (const [i, j] of edges) {
    strokeSegment(canvas, [positions[i][0] * k, positions[i][1] * k, positions[j][0] * k, positions[j][1] * k], (EDGE_WIDTH / 2) * k);
  }
  for (const [x, y] of positions) {
    outlinedDisc(canvas, x * k, y * k, (NODE_RADIUS - OUTLINE_WIDTH / 2) * k, (NODE_RADIUS + OUTLINE_WIDTH / 2) * k);
  }
  positions.forEach(([x, y], v) => {
    const { stamp, dx, dy } = labelStamp(String(v), x * k, y * k, k);
    paintStamp(canvas, stamp, dx, dy);
  });
  return canvas;
}

/** Greyscale PNG of the drawing at `size` px (deterministic bytes: fixed encoder settings). */
export function renderPng(positions: readonly Point[], edges: readonly Edge[], size: number): Uint8Array {
  return encodeCanvas(drawGraph(positions, edges, size, 1));
}

/** Model input: greyscale in [0,1] (1 = white paper), row-major size × size, the 8-bit greys / 255. */
export function renderPixels(positions: readonly Point[], edges: readonly Edge[], size: number): Float32Array {
  return toFloat(drawGraph(positions, edges, size));
}

export async function renderGraph(positions: readonly Point[], edges: readonly Edge[], pngSize: number, inputSize: number): Promise<Rendered> {
  return { png: renderPng(positions, edges, pngSize), pixels: renderPixels(positions, edges, inputSize), width: inputSize, height: inputSize };
}
