/**
 * A small greyscale rasteriser for the task drawings: anti-aliased thick segments (round caps, so a chain of
 * them has round joins), white discs with black outlines, and unions of segments (stroked glyphs), painted
 * straight into 8-bit greys (255 = white paper, 0 = black ink). It replaces SVG + librsvg, which cost ~5 ms
 * per GC image: drawing here touches only the pixels a shape covers, and a canvas can be laid out as PNG
 * scanlines (a filter byte before each row) so the encoder deflates it as it is.
 *
 * Coverage is the box-filter approximation used by most AA renderers: a pixel whose centre lies at distance d
 * from a shape's centre line (half width h) is covered clamp(h + 0.5 - d, 0, 1), capped at 2h for strokes
 * thinner than a pixel. Coordinates are in pixels with pixel (x, y) centred at (x + 0.5, y + 0.5).
 * Everything is plain arithmetic in a fixed order, so the same calls give the same pixels on every machine.
 */

/**
 * An 8-bit greyscale image: pixel (x, y) is data[offset + y·stride + x], 0 = black, 255 = white. Bytes
 * between rows (stride > width) belong to the caller, e.g. PNG filter bytes.
 */
export interface Canvas {
  readonly width: number;
  readonly height: number;
  readonly stride: number;
  readonly offset: number;
  readonly data: Uint8Array;
}

/**
 * A canvas filled with `fill`; with `rowPrefix` k each row is preceded by k zero bytes (k = 1 gives PNG
 * scanlines with filter type None, ready for encodeScanlines).
 */
export function createCanvas(width: number, height: number, fill = 255, rowPrefix = 0): Canvas {
  if (!Number.isInteger(width) || !Number.isInteger(height) || width < 1 || height < 1) {
    throw new RangeError(`raster: canvas size must be positive integers, got ${width}x${height}`);
  }
  const canvas = { width, height, stride: width + rowPrefix, offset: rowPrefix, data: new Uint8Array((width + rowPrefix) * height) };
  clearCanvas(canvas, fill);
  return canvas;
}

/** Fills every pixel with `fill` and every row prefix with 0 (reusing a canvas saves allocation and GC). */
export function clearCanvas(canvas: Canvas, fill = 255): void {
  const { height, stride, offset, data } = canvas;
  data.fill(fill);
  if (offset > 0) for (let y = 0; y < height; y++) data.fill(0, y * stride, y * stride + offset);
}

/** Composites grey `ink` at coverage `a` over pixel `i` (source-over, rounded to the nearest level). */
export const over = (data: Uint8Array, i: number, ink: number, a: number) => {
  data[i] = data[i] + (ink - data[i]) * a + 0.5;
};

/** A segment from (x0, y0) to (x1, y1). */
export type Segment = readonly [number, number, number, number];

const clamp01 = (x: number) => (x < 0 ? 0 : x > 1 ? 1 : x);

/**
 * A segment's row spans: the x interval [lo, hi] of row centre `yc` within distance `r` of the segment (a
 * capsule, which is convex, so the row meets it in one interval: the hull of its meetings with the two end
 * circles and the rectangle between them). What depends only on the segment is worked out once.
 */
class Capsule {
  private readonly len2: number;
  private readonly invNx: number; // 1 / nx for the normal n = (-dy, dx)/len; 0 when the segment is horizontal
  private readonly ny: number;
  private readonly invDx: number; // 1 / dx; 0 when the segment is vertical
  private readonly dy: number;

  constructor(
    private readonly x0: number,
    private readonly y0: number,
    private readonly x1: number,
    private readonly y1: number,
  ) {
    const dx = x1 - x0;
    this.dy = y1 - y0;
    this.len2 = dx * dx + this.dy * this.dy;
    const len = Math.sqrt(this.len2);
    const nx = len > 1e-6 ? -this.dy / len : 0;
    this.ny = len > 1e-6 ? dx / len : 0;
    this.invNx = Math.abs(nx) > 1e-12 ? 1 / nx : 0;
    this.invDx = Math.abs(dx) > 1e-12 ? 1 / dx : 0;
  }

  /** Writes [lo, hi] into `out`; returns false when the row misses. */
  row(r: number, yc: number, out: Float64Array): boolean {
    let lo = Infinity;
    let hi = -Infinity;
    const d0 = yc - this.y0;
    if (d0 * d0 <= r * r) {
      const h = Math.sqrt(r * r - d0 * d0);
      lo = this.x0 - h;
      hi = this.x0 + h;
    }
    const d1 = yc - this.y1;
    if (d1 * d1 <= r * r) {
      const h = Math.sqrt(r * r - d1 * d1);
      if (this.x1 - h < lo) lo = this.x1 - h;
      if (this.x1 + h > hi) hi = this.x1 + h;
    }
    if (this.len2 > 1e-12) {
      // perpendicular distance |(x - x0)·nx + d0·ny| ≤ r
      let a: number;
      let b: number;
      const across = d0 * this.ny;
      if (this.invNx !== 0) {
        const p = this.x0 + (-r - across) * this.invNx;
        const q = this.x0 + (r - across) * this.invNx;
        a = p < q ? p : q;
        b = p < q ? q : p;
      } else if (Math.abs(across) <= r) {
        a = -Infinity;
        b = Infinity;
      } else return lo <= hi ? ((out[0] = lo), (out[1] = hi), true) : false;
      // projection (x - x0)·dx + d0·dy within [0, len²]
      const along = d0 * this.dy;
      if (this.invDx !== 0) {
        const p = this.x0 - along * this.invDx;
        const q = this.x0 + (this.len2 - along) * this.invDx;
        if ((p < q ? p : q) > a) a = p < q ? p : q;
        if ((p < q ? q : p) < b) b = p < q ? q : p;
      } else if (along < 0 || along > this.len2) b = -Infinity;
      if (a <= b) {
        if (a < lo) lo = a;
        if (b > hi) hi = b;
      }
    }
    out[0] = lo;
    out[1] = hi;
    return lo <= hi;
  }
}

const span = new Float64Array(2);

/**
 * Calls `visit(index, coverage)` for every pixel the thick segment covers (half width `half`), each once,
 * in row order. Pixels within half - 0.5 of the centre line are fully covered and skip the distance.
 */
export function forSegment(
  width: number,
  height: number,
  stride: number,
  offset: number,
  [x0, y0, x1, y1]: Segment,
  half: number,
  visit: (index: number, coverage: number) => void,
  solid?: (from: number, to: number) => void, // fully covered run [from, to), instead of visit(i, 1) each
): void {
  const r = half + 0.5;
  const core = half - 0.5; // coverage is exactly 1 within this distance (when half >= 1)
  const peak = Math.min(1, 2 * half);
  const dx = x1 - x0;
  const dy = y1 - y0;
  const len2 = dx * dx + dy * dy;
  const capsule = new Capsule(x0, y0, x1, y1);
  const top = Math.max(0, Math.ceil(Math.min(y0, y1) - r - 0.5));
  const bottom = Math.min(height - 1, Math.floor(Math.max(y0, y1) + r - 0.5));
  for (let y = top; y <= bottom; y++) {
    const yc = y + 0.5;
    if (!capsule.row(r, yc, span)) continue;
    const left = Math.max(0, Math.ceil(span[0] - 0.5));
    const right = Math.min(width - 1, Math.floor(span[1] - 0.5));
    let solidFrom = right + 1;
    let solidTo = right;
    if (half >= 1 && capsule.row(core, yc, span)) {
      solidFrom = Math.max(left, Math.ceil(span[0] - 0.5));
      solidTo = Math.min(right, Math.floor(span[1] - 0.5));
      if (solidTo < solidFrom) solidFrom = right + 1; // no pixel centre inside the core on this row
    }
    const row = offset + y * stride;
    for (let x = left; x <= right; x++) {
      if (x === solidFrom) {
        if (solid) solid(row + solidFrom, row + solidTo + 1);
        else for (; x <= solidTo; x++) visit(row + x, 1);
        x = solidTo + 1;
        if (x > right) break;
      }
      const xc = x + 0.5;
      let t = len2 > 0 ? ((xc - x0) * dx + (yc - y0) * dy) / len2 : 0;
      t = t < 0 ? 0 : t > 1 ? 1 : t;
      const ex = xc - (x0 + t * dx);
      const ey = yc - (y0 + t * dy);
      const coverage = Math.min(peak, clamp01(r - Math.sqrt(ex * ex + ey * ey)));
      if (coverage > 0) visit(row + x, coverage);
    }
  }
}

/** Paints a thick segment with round caps in grey `ink` over what is there (source-over). */
export function strokeSegment(canvas: Canvas, segment: Segment, half: number, ink = 0): void {
  const data = canvas.data;
  forSegment(
    canvas.width,
    canvas.height,
    canvas.stride,
    canvas.offset,
    segment,
    half,
    (i, a) => over(data, i, ink, a),
    (from, to) => data.fill(ink, from, to), // what over() gives at coverage 1
  );
}

/**
 * A disc of radius `outer` filled with `fill`, whose outermost `outer - inner` band is `ink` (an SVG circle
 * with a stroke centred on its edge is outer = r + w/2, inner = r - w/2).
 */
export function outlinedDisc(canvas: Canvas, cx: number, cy: number, inner: number, outer: number, fill = 255, ink = 0): void {
  const { width, height, stride, offset, data } = canvas;
  const r = outer + 0.5;
  const top = Math.max(0, Math.ceil(cy - r - 0.5));
  const bottom = Math.min(height - 1, Math.floor(cy + r - 0.5));
  for (let y = top; y <= bottom; y++) {
    const dy = y + 0.5 - cy;
    const h = Math.sqrt(Math.max(0, r * r - dy * dy));
    const left = Math.max(0, Math.ceil(cx - h - 0.5));
    const right = Math.min(width - 1, Math.floor(cx + h - 0.5));
    // within inner - 0.5 of the centre the pixel is just `fill`
    const core = inner - 0.5;
    let solidFrom = right + 1;
    let solidTo = right;
    if (core > 0 && dy * dy < core * core) {
      const c = Math.sqrt(core * core - dy * dy);
      solidFrom = Math.max(left, Math.ceil(cx - c - 0.5));
      solidTo = Math.min(right, Math.floor(cx + c - 0.5));
    }
    for (let x = left, i = offset + y * stride + left; x <= right; x++, i++) {
      if (x === solidFrom && solidFrom <= solidTo) {
        data.fill(fill, i, i + solidTo - solidFrom + 1);
        i += solidTo - solidFrom + 1;
        x = solidTo + 1;
        if (x > right) break;
      }
      const dx = x + 0.5 - cx;
      const d = Math.sqrt(dx * dx + dy * dy);
      const disc = clamp01(outer + 0.5 - d);
      if (disc === 0) continue;
      over(data, i, fill, disc);
      const ring = disc - clamp01(inner + 0.5 - d);
      if (ring > 0) over(data, i, ink, ring);
    }
  }
}

/** The canvas's pixels as Float32 greys in [0, 1] (byte / 255), row-major height × width. */
export function toFloat(canvas: Canvas): Float32Array {
  const { width, height, stride, offset, data } = canvas;
  const out = new Float32Array(width * height);
  for (let y = 0; y < height; y++) {
    for (let x = 0, i = offset + y * stride, o = y * width; x < width; x++) out[o + x] = data[i + x] / 255;
  }
  return out;
}
