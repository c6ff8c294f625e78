/**
 * GPU time of the webgpu decoder's dispatches (decode.ts), for bench/sample.ts --profile: while on, each queued
 * step's commands run in compute passes of their own with timestamp writes, read back per pipeline name. The
 * decoder's commands go to its own encoder, so raw.ts's timeOurKernels (tfjs's stream) never sees them. Off by
 * default; on a device without timestamp queries it records nothing and says so in decodeStepTimes.
 */
import { pipelineName } from './raw.ts';

type Timed = { pipeline: GPUComputePipeline; group: GPUBindGroup; x: number; y: number };

const [QUERY_RESOLVE, COPY_SRC, COPY_DST, MAP_READ] = [0x200, 0x4, 0x8, 0x1];

let records: Promise<[string, number][]>[] | undefined;
let unsupported = false;

/** Starts (clearing what was recorded) or stops timing the decoder's steps. */
export function profileDecodeSteps(on: boolean): void {
  records = on ? [] : undefined;
  unsupported = false;
}

/**
 * Encodes `commands` one compute pass each, timed, into `encoder` and returns true; false (encode them as
 * usual) when not profiling or the device has no timestamp queries.
 */
export function encodeTimed(device: GPUDevice, encoder: GPUCommandEncoder, commands: readonly Timed[]): boolean {
  if (!records) return false;
  if (!device.features.has('timestamp-query')) {
    unsupported = true;
    return false;
  }
  const count = 2 * commands.length;
  const querySet = device.createQuerySet({ type: 'timestamp', count });
  commands.forEach((c, i) => {
    const pass = encoder.beginComputePass({ timestampWrites: { querySet, beginningOfPassWriteIndex: 2 * i, endOfPassWriteIndex: 2 * i + 1 } });
    pass.setPipeline(c.pipeline);
    pass.setBindGroup(0, c.group);
    pass.dispatchWorkgroups(c.x, c.y);
    pass.end();
  });
  const resolved = device.createBuffer({ size: 8 * count, usage: QUERY_RESOLVE | COPY_SRC });
  const read = device.createBuffer({ size: 8 * count, usage: MAP_READ | COPY_DST });
  encoder.resolveQuerySet(querySet, 0, count, resolved, 0);
  encoder.copyBufferToBuffer(resolved, 0, read, 0, 8 * count);
  const names = commands.map((c) => pipelineName(c.pipeline));
  // Mapped once the submit that carries this encoder has run (mapAsync waits for the queue).
  records.push(
    Promise.resolve().then(async () => {
      await read.mapAsync(MAP_READ);
      const ns = new BigUint64Array(read.getMappedRange().slice(0));
      read.unmap();
      for (const b of [resolved, read]) b.destroy();
      querySet.destroy();
      return names.map((name, i): [string, number] => [name, Number(ns[2 * i + 1] - ns[2 * i]) / 1e6]);
    }),
  );
  return true;
}

/** Per pipeline name: dispatches and GPU ms over the steps timed since profileDecodeSteps(true). */
export async function decodeStepTimes(): Promise<{ submits: number; totalMs: number; byName: Record<string, { n: number; ms: number }> } | string> {
  if (unsupported) return 'the device has no timestamp queries';
  const byName: Record<string, { n: number; ms: number }> = {};
  let totalMs = 0;
  for (const rows of await Promise.all(records ?? [])) {
    for (const [name, ms] of rows) {
      const e = (byName[name] ??= { n: 0, ms: 0 });
      e.n++;
      e.ms += ms;
      totalMs += ms;
    }
  }
  return { submits: records?.length ?? 0, totalMs, byName };
}
