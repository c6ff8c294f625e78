import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { pixelsFromImage } from '../../../src/data/image-pixels.ts';

/** A width × height RGBA PNG: the left half black, the right half white. */
async function halfBlackPng(width: number, height: number, alpha = 255): Promise<Uint8Array> {
  const raw = Buffer.alloc(width * height * 4);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const v = x < width / 2 ? 0 : 255;
      raw.set([v, v, v, alpha], (y * width + x) * 4);
    }
  }
  return new Uint8Array(
    await sharp(raw, { raw: { width, height, channels: 4 } })
      .png()
      .toBuffer(),
  );
}

describe('pixelsFromImage', () => {
  it('resizes to size × size greyscale in [0,1] with white = 1 and black = 0', async () => {
    const pixels = await pixelsFromImage(await halfBlackPng(64, 64), 16);
    expect(pixels).toHaveLength(16 * 16);
    expect(pixels[0]).toBeCloseTo(0, 2); // top-left: black
    expect(pixels[15]).toBeCloseTo(1, 2); // top-right: white
    expect(Math.min(...pixels)).toBeGreaterThanOrEqual(0);
    expect(Math.max(...pixels)).toBeLessThanOrEqual(1);
  });

  it('flattens transparency onto white paper', async () => {
    const pixels = await pixelsFromImage(await halfBlackPng(32, 32, 0), 8);
    expect(Math.min(...pixels)).toBeCloseTo(1, 2); // a fully transparent drawing is blank paper
  });

  it('stretches a non-square image to the square input', async () => {
    const pixels = await pixelsFromImage(await halfBlackPng(80, 20), 10);
    expect(pixels).toHaveLength(100);
    expect(pixels[10 * 9]).toBeCloseTo(0, 2); // bottom-left stays black
  });

  it('fails on bytes that are not an image', async () => {
    await expect(pixelsFromImage(new Uint8Array([1, 2, 3]), 8)).rejects.toThrow();
  });
});
