/**
 * Piscina worker body (loaded through sample-worker.mjs, which registers tsx first): runs one job and hands a
 * sample's PNG and pixel buffers back by transfer, not by copy, when they own their whole ArrayBuffer.
 */
import { Piscina } from 'piscina';
import type { Sample } from '../../src/records.ts';
import { runJob, type Job } from './sample-job.ts';

function ownsBuffer(view: ArrayBufferView | undefined): view is ArrayBufferView {
  if (view === undefined) return false;
  const buffer = view.buffer;
  return view.byteOffset === 0 && view.byteLength === buffer.byteLength && !(buffer instanceof SharedArrayBuffer);
}

export default async function sampleWorker(job: Job): Promise<unknown> {
  const result = await runJob(job);
  if (job.kind !== 'sample') return result;
  const sample = result as Sample;
  const buffers: ArrayBufferLike[] = [];
  for (const view of [sample.png, sample.pixels]) if (ownsBuffer(view)) buffers.push(view.buffer);
  if (buffers.length === 0) return sample;
  // Piscina's Transferable protocol: the value goes back, the buffers in its transfer list (cast: Piscina's
  // types name the protocol's symbol keys but not an object literal carrying them)
  return Piscina.move({ [Piscina.transferableSymbol]: buffers, [Piscina.valueSymbol]: sample } as unknown as Parameters<typeof Piscina.move>[0]);
}
