/**
 * Model-input pixels from a dataset image (for imported rows, whose renderer we do not have): decoded,
 * flattened onto white, greyscale, resized to size × size, values in [0,1] with 1 = white paper like our
 * renderers' input. They approximate, not equal, what our renderers rasterise directly at the input size.
 */
import sharp from 'sharp';

export async function pixelsFromImage(bytes: Uint8Array, size: number): Promise<Float32Array> {
  const { data, info } = await sharp(bytes)
    .flatten({ background: '#ffffff' })
    .greyscale()
    .resize(size, size, { fit: 'fill', kernel: 'lanczos3' })
    .extractChannel(0)
    .raw()
    .toBuffer({ resolveWithObject: true });
  if (info.width !== size || info.height !== size || data.length !== size * size) {
    throw new Error(`decoded to ${info.width}×${info.height}×${info.channels}, expected ${size}×${size}×1`);
  }
  const pixels = new Float32Array(size * size);
  for (let i = 0; i < pixels.length; i++) pixels[i] = data[i] / 255;
  return pixels;
}
