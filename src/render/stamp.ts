/**
 * Coverage stamps: the union of thick segments rasterised once as a coverage mask, then painted anywhere
 * (a GC glyph drawn at each node). Split from raster.ts, whose segment coverage (forSegment) it reuses.
 */
import { forSegment, over, type Canvas, type Segment } from './raster.ts';

/** A coverage mask placed with its top-left pixel at (x, y): cover[row · width + col] in [0, 1]. */
export interface Stamp {
  readonly x: number;
  readonly y: number;
  readonly width: number;
  readonly height: number;
  readonly cover: Float32Array;
}

/**
 * The coverage of the union of thick segments as one shape: a pixel two segments cover (a joint, a
 * self-crossing glyph) gets the larger coverage, not both, so joins and crossings have no darker fringe.
 */
export function unionStamp(segments: readonly Segment[], half: number): Stamp {
  let x0 = Infinity;
  let y0 = Infinity;
  let x1 = -Infinity;
  let y1 = -Infinity;
  for (const [ax, ay, bx, by] of segments) {
    x0 = Math.min(x0, ax, bx);
    y0 = Math.min(y0, ay, by);
    x1 = Math.max(x1, ax, bx);
    y1 = Math.max(y1, ay, by);
  }
  if (segments.length === 0) return { x: 0, y: 0, width: 0, height: 0, cover: new Float32Array(0) };
  const r = half + 1;
  const left = Math.floor(x0 - r);
  const top = Math.floor(y0 - r);
  const width = Math.ceil(x1 + r) - left;
  const height = Math.ceil(y1 + r) - top;
  const cover = new Float32Array(width * height);
  for (const [ax, ay, bx, by] of segments) {
    // in the box's own coordinates
    forSegment(width, height, width, 0, [ax - left, ay - top, bx - left, by - top], half, (i, a) => {
      if (a > cover[i]) cover[i] = a;
    });
  }
  return { x: left, y: top, width, height, cover };
}

/** Paints `ink` through the stamp's coverage, moved by (dx, dy) whole pixels and clipped to the canvas. */
export function paintStamp(canvas: Canvas, stamp: Stamp, dx = 0, dy = 0, ink = 0): void {
  const { width, height, stride, offset, data } = canvas;
  const x = stamp.x + dx;
  const y = stamp.y + dy;
  const fromX = Math.max(0, -x);
  const toX = Math.min(stamp.width, width - x);
  for (let row = Math.max(0, -y); row < Math.min(stamp.height, height - y); row++) {
    for (let col = fromX, i = row * stamp.width + fromX, j = offset + (y + row) * stride + x + fromX; col < toX; col++, i++, j++) {
      const a = stamp.cover[i];
      if (a > 0) over(data, j, ink, a);
    }
  }
}

/** Paints the union of thick segments in `ink` as one shape (see unionStamp). */
export function strokeUnion(canvas: Canvas, segments: readonly Segment[], half: number, ink = 0): void {
  paintStamp(canvas, unionStamp(segments, half), 0, 0, ink);
}
