/**
 * The image a remote policy sends for a sample: the dataset PNG (what a VLM such as Qwen3-VL should see),
 * or the model-input pixels re-encoded as a lossless greyscale PNG at the model's input size, which
 * `asymflow serve` decodes back to exactly `Sample.pixels` (pixels are bytes/255, so the round trip is exact).
 */
import sharp from 'sharp';
import type { Sample } from '../records.ts';

export type ImageSource = 'png' | 'pixels';

export async function pixelsPng(pixels: Float32Array, width: number, height: number): Promise<Uint8Array> {
  if (pixels.length !== width * height) throw new Error(`pixels has ${pixels.length} values; expected ${width}×${height}`);
  const bytes = Buffer.alloc(pixels.length);
  for (let i = 0; i < pixels.length; i++) bytes[i] = Math.round(Math.min(1, Math.max(0, pixels[i])) * 255);
  const png = await sharp(bytes, { raw: { width, height, channels: 1 } })
    .png()
    .toBuffer();
  return new Uint8Array(png.buffer, png.byteOffset, png.byteLength);
}

/** PNG bytes for `sample` from `source`; throws naming the sample when it lacks what is asked for. */
export async function sampleImage(sample: Sample, source: ImageSource): Promise<Uint8Array> {
  if (source === 'png') {
    if (!sample.png) throw new Error(`sample ${sample.puzzle.id} has no PNG to send`);
    return sample.png;
  }
  if (!sample.pixels) throw new Error(`sample ${sample.puzzle.id} has no model-input pixels to send`);
  return pixelsPng(sample.pixels, sample.width, sample.height);
}
