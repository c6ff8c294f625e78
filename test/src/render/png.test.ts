import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { encodeCanvas, encodeScanlines } from '../../../src/render/png.ts';
import { createCanvas, outlinedDisc, strokeSegment } from '../../../src/render/raster.ts';
import { flattenPath } from '../../../src/render/path.ts';

describe('encodeCanvas', () => {
  it('writes a greyscale PNG that decodes to the same pixels, from either canvas layout', async () => {
    for (const prefix of [0, 1]) {
      const canvas = createCanvas(37, 23, 255, prefix);
      strokeSegment(canvas, [2, 3, 33, 20], 2.5);
      outlinedDisc(canvas, 18, 11, 4, 6);
      const png = encodeCanvas(canvas);
      const meta = await sharp(png).metadata();
      expect([meta.format, meta.width, meta.height, meta.channels, meta.depth]).toEqual(['png', 37, 23, 1, 'uchar']);
      const data = await sharp(png).toColourspace('b-w').raw().toBuffer();
      expect(data.length).toBe(37 * 23);
      for (let y = 0; y < 23; y++) {
        for (let x = 0; x < 37; x++) expect(data[y * 37 + x]).toBe(canvas.data[canvas.offset + y * canvas.stride + x]);
      }
      expect(Buffer.from(encodeCanvas(canvas)).equals(Buffer.from(png))).toBe(true);
    }
  });

  it('rejects scanlines of the wrong length', () => {
    expect(() => encodeScanlines(new Uint8Array(10), 4, 4)).toThrow('png: 10 scanline bytes for 4x4');
  });
});

describe('flattenPath', () => {
  it('turns lines and a cubic into connected segments ending where the path does', () => {
    const segments = flattenPath('M0,0H10V5L0,5C0,8 3,10 5,10Z', 4);
    expect(segments.slice(0, 3)).toEqual([
      [0, 0, 10, 0],
      [10, 0, 10, 5],
      [10, 5, 0, 5],
    ]);
    expect(segments).toHaveLength(3 + 4 + 1);
    for (let i = 1; i < segments.length; i++) expect(segments[i].slice(0, 2)).toEqual(segments[i - 1].slice(2));
    expect(segments[6].slice(2)).toEqual([5, 10]);
    expect(segments[7]).toEqual([5, 10, 0, 0]); // Z closes to the subpath start
  });

  it('names what it cannot read', () => {
    expect(() => flattenPath('M0,0Q1,1 2,2')).toThrow("path 'M0,0Q1,1 2,2': unsupported command 'Q' (only absolute M L H V C Z)");
    expect(() => flattenPath('M0,0L1')).toThrow("path 'M0,0L1': expected a number after L, got the end");
    expect(() => flattenPath('M0,0Z 3')).toThrow("path 'M0,0Z 3': number 3 without a command");
  });
});
