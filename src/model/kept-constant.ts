/**
 * Constant tensors (masks, index maps) built once per backend and kept across tf.tidy scopes, so a training
 * or decode step uploads none of them again.
 */
import * as tf from '@tensorflow/tfjs';

const kept = new Map<string, tf.Tensor>();

/** The tensor `make` builds for `key` on the active backend, built on first use and kept (never disposed). */
export function keptConstant<T extends tf.Tensor>(key: string, make: () => T): T {
  const k = `${tf.getBackend()}:${key}`;
  let t = kept.get(k) as T | undefined;
  if (!t) {
    t = tf.keep(make());
    kept.set(k, t);
  }
  return t;
}
