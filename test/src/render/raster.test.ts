import { describe, expect, it } from 'vitest';
import { createCanvas, outlinedDisc, strokeSegment, toFloat, type Canvas } from '../../../src/render/raster.ts';
import { paintStamp, strokeUnion, unionStamp } from '../../../src/render/stamp.ts';

/** Total ink (darkness in pixels, 1 per black pixel) on a white canvas. */
function ink(canvas: Canvas): number {
  return toFloat(canvas).reduce((sum, v) => sum + (1 - v), 0);
}

describe('strokeSegment', () => {
  it('inks about the area of its capsule (length × width + the round caps)', () => {
    for (const [x0, y0, x1, y1, half] of [
      [20, 30, 180, 90, 3],
      [100.3, 10.7, 100.3, 170.2, 1.5], // vertical, off the pixel grid
      [10, 50.5, 190, 50.5, 2], // horizontal
      [30, 170, 160, 20, 0.8], // thinner than two pixels
    ]) {
      const canvas = createCanvas(200, 200);
      strokeSegment(canvas, [x0, y0, x1, y1], half);
      const area = Math.hypot(x1 - x0, y1 - y0) * 2 * half + Math.PI * half * half;
      expect(Math.abs(ink(canvas) - area) / area).toBeLessThan(0.03);
    }
  });

  it('draws segments of every width and angle off the pixel grid (each row once, no stuck row)', () => {
    let seed = 7;
    const random = () => (seed = (seed * 16807) % 2147483647) / 2147483647;
    for (let k = 0; k < 300; k++) {
      const canvas = createCanvas(40, 40);
      const [x0, y0, x1, y1] = [random() * 40, random() * 40, random() * 40, random() * 40];
      const half = 0.3 + random() * 3;
      strokeSegment(canvas, [x0, y0, x1, y1], half);
      const area = Math.hypot(x1 - x0, y1 - y0) * 2 * half + Math.PI * half * half;
      const inside = x0 > half + 1 && x0 < 39 - half && x1 > half + 1 && x1 < 39 - half && y0 > half + 1 && y0 < 39 - half && y1 > half + 1 && y1 < 39 - half;
      if (inside) expect(Math.abs(ink(canvas) - area)).toBeLessThan(0.06 * area + 1);
    }
  });

  it('is solid black along its middle and leaves pixels beyond half + 0.5 white', () => {
    const canvas = createCanvas(64, 64);
    strokeSegment(canvas, [8, 32, 56, 32], 3);
    const px = toFloat(canvas);
    expect(px[32 * 64 + 32]).toBe(0);
    expect(px[31 * 64 + 20]).toBe(0);
    expect(px[(32 + 4) * 64 + 32]).toBe(1); // centre 4.5 from the line
    expect(px[32 * 64 + 60]).toBe(1); // beyond the round cap
    expect(px[0]).toBe(1);
  });

  it('clips to the canvas without throwing', () => {
    const canvas = createCanvas(32, 32);
    strokeSegment(canvas, [-40, -10, 80, 50], 4);
    expect(ink(canvas)).toBeGreaterThan(100);
  });
});

describe('outlinedDisc', () => {
  it('covers about πr² and inks about the ring area π(outer² − inner²)', () => {
    const black = createCanvas(120, 120, 0);
    outlinedDisc(black, 60.3, 59.6, 40, 40, 255, 255); // a white disc on black: its white is πr²
    const white = toFloat(black).reduce((sum, v) => sum + v, 0);
    expect(Math.abs(white - Math.PI * 40 * 40) / (Math.PI * 1600)).toBeLessThan(0.01);

    const canvas = createCanvas(120, 120);
    outlinedDisc(canvas, 60, 60, 28, 32);
    const ring = Math.PI * (32 * 32 - 28 * 28);
    expect(Math.abs(ink(canvas) - ring) / ring).toBeLessThan(0.02);
    expect(toFloat(canvas)[60 * 120 + 60]).toBe(1); // the inside is paper
  });

  it('paints its fill over what was under it (an edge ends under the node)', () => {
    const canvas = createCanvas(100, 100);
    strokeSegment(canvas, [0, 50, 50, 50], 3);
    outlinedDisc(canvas, 50, 50, 10, 14);
    const px = toFloat(canvas);
    expect(px[50 * 100 + 50]).toBe(1);
    expect(px[50 * 100 + 45]).toBe(1);
    expect(px[50 * 100 + 20]).toBe(0);
  });
});

describe('strokeUnion and stamps', () => {
  it('inks a joint once: two segments meeting at a point ink no more than their union', () => {
    const segments = [
      [20, 20, 50, 50],
      [50, 50, 80, 20],
    ] as const;
    const union = createCanvas(100, 100);
    strokeUnion(union, segments, 3);
    const overlaid = createCanvas(100, 100);
    for (const s of segments) strokeSegment(overlaid, s, 3);
    expect(ink(union)).toBeLessThan(ink(overlaid));
    const single = createCanvas(100, 100);
    strokeSegment(single, segments[0], 3);
    expect(ink(union)).toBeLessThan(2 * ink(single));
    expect(ink(union)).toBeGreaterThan(1.7 * ink(single));
  });

  it('a stamp painted with a whole-pixel shift equals the shapes drawn there', () => {
    const segments = [[5.25, 7.5, 20.75, 30.25] as const];
    const direct = createCanvas(64, 64);
    strokeUnion(
      direct,
      segments.map(([a, b, c, d]) => [a + 17, b + 9, c + 17, d + 9] as const),
      2,
    );
    const stamped = createCanvas(64, 64);
    paintStamp(stamped, unionStamp(segments, 2), 17, 9);
    expect(stamped.data).toEqual(direct.data);
  });
});

describe('canvas layout and determinism', () => {
  it('gives the same bytes for the same calls, and keeps row prefixes zero', () => {
    const draw = (prefix: number) => {
      const c = createCanvas(50, 40, 255, prefix);
      strokeSegment(c, [3.3, 4.4, 45.5, 33.3], 2.2);
      outlinedDisc(c, 25, 20, 8, 10);
      strokeUnion(
        c,
        [
          [10, 10, 15, 30],
          [15, 30, 30, 12],
        ],
        1.1,
      );
      return c;
    };
    const [a, b, scan] = [draw(0), draw(0), draw(1)];
    expect(a.data).toEqual(b.data);
    expect(toFloat(scan)).toEqual(toFloat(a)); // same pixels, laid out as PNG scanlines
    for (let y = 0; y < 40; y++) expect(scan.data[y * 51]).toBe(0);
  });

  it('rejects a bad size', () => {
    expect(() => createCanvas(0, 10)).toThrow('raster: canvas size must be positive integers, got 0x10');
  });
});
