/**
 * Image input of `asymflow serve`: a base64 data URL decoded with sharp into the model's input — greyscale in
 * [0,1] (1 = white), row-major size × size — the way the task renderers produce `Sample.pixels`: flatten on
 * white, sharp's 'b-w' colourspace, byte/255. An image already at the input size is taken as is (bit-exact
 * with the renderer's pixels); a larger one (the 448-px dataset PNG) is resized with sharp's default
 * (lanczos3) kernel, which differs slightly from rasterising the drawing at the small size (see the test).
 */
import sharp, { type OutputInfo } from 'sharp';
import { badRequest } from './api-error.ts';

const DATA_URL = /^data:([\w.+-]+\/[\w.+-]+)?((?:;[\w-]+=[^;,]*)*);base64,/i;
const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

/** The bytes of a base64 data URL; a 400 naming `param` for anything else. */
export function dataUrlBytes(url: unknown, param: string): Uint8Array {
  if (typeof url !== 'string') throw badRequest(`${param} must be a string`, param, 'invalid_type');
  const match = DATA_URL.exec(url);
  if (!match) {
    const shown = url.length > 40 ? `${url.slice(0, 40)}…` : url;
    throw badRequest(`${param} must be a base64 data URL (data:image/png;base64,…); got '${shown}'`, param, 'invalid_image_url');
  }
  const payload = url.slice(match[0].length).replace(/\s+/g, '');
  if (payload.length === 0 || payload.length % 4 === 1 || !BASE64.test(payload)) {
    throw badRequest(`${param} has invalid base64 data`, param, 'invalid_base64');
  }
  const bytes = Buffer.from(payload, 'base64');
  return new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

/** Model-input pixels of an encoded image; a 400 naming `param` when sharp cannot decode it. */
export async function decodeModelInput(bytes: Uint8Array, size: number, param = 'image'): Promise<Float32Array> {
  let data: Buffer;
  let info: OutputInfo;
  try {
    let image = sharp(bytes, { failOn: 'error' }).flatten({ background: '#ffffff' }).toColourspace('b-w');
    const meta = await sharp(bytes, { failOn: 'error' }).metadata();
    if (meta.width !== size || meta.height !== size) image = image.resize(size, size, { fit: 'fill' });
    ({ data, info } = await image.raw().toBuffer({ resolveWithObject: true }));
  } catch (error) {
    throw badRequest(`${param} could not be decoded as an image: ${(error as Error).message}`, param, 'invalid_image');
  }
  const pixels = new Float32Array(size * size);
  for (let p = 0, c = info.channels; p < pixels.length; p++) pixels[p] = data[p * c] / 255;
  return pixels;
}
