/**
 * The model input with the image withheld: one definition for the self-reward's second hop (the policy re-solves
 * from its own caption; src/rl/rewards/self-reward.ts through TfjsPolicy's `withImage: false`) and for the rows
 * `sft --image-dropout` trains on (src/sft/train-rows.ts), so the second hop measures a path the model was taught:
 *
 *   pixels  every value BLANK_PIXEL (1.0 — the background of our renders, i.e. an image with no content)
 *   prompt  promptTokens(query, `<caption>CAPTION</caption>`): the caption forced as the assistant prefix,
 *           context only (never sampled, never trained on), so what follows is all reasoning and answer
 */
import { CAPTION_CLOSE, CAPTION_OPEN } from '../grammar.ts';
import { promptTokens } from '../prompt.ts';

/** Paper white: what an empty render looks like to the model. */
export const BLANK_PIXEL = 1;

/** An image with no content at `inputSize`² pixels. */
export function blankImage(inputSize: number): Float32Array {
  return new Float32Array(inputSize * inputSize).fill(BLANK_PIXEL);
}

/** The forced assistant prefix that gives the caption. */
export function captionPrefix(caption: string): string {
  return `${CAPTION_OPEN}${caption}${CAPTION_CLOSE}`;
}

/** Pixels and prompt tokens of the no-image input for `query` with `caption` given. */
export function noImageInput(query: string, caption: string, inputSize: number): { pixels: Float32Array; prompt: Int32Array } {
  return { pixels: blankImage(inputSize), prompt: promptTokens(query, captionPrefix(caption)) };
}
