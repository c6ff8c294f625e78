/**
 * Device time per reproduce part across calls (bench/reproduce-session.ts writes DIR/device-time.jsonl, the
 * report reads it): one line per attempt — a part started in one device call and finished, cut at the call's
 * deadline (it continues from its checkpoints in the next), or failed. `seconds` is the attempt's wall time;
 * `deviceSeconds` its share of the GPU, each second divided among the parts running then (two packed parts
 * each get half of a second), so the shares of a call add up to the time any part ran.
 */
import fs from 'node:fs';
import path from 'node:path';
import { readJsonLines } from '../io/json-lines.ts';

export interface DeviceAttempt {
  readonly part: string; // as --only names it: `gc/sft`, `seed-1/gc/sft`
  readonly call: string; // the device call's label (bench/gpu-reproduce.sh: its start time)
  readonly started: string; // ISO time
  readonly seconds: number;
  readonly deviceSeconds: number;
  readonly status: 'done' | 'cut' | 'failed';
}

export const DEVICE_TIME_FILE = 'device-time.jsonl';

/** Every attempt recorded in DIR (none when the file is absent: parts run outside the session driver). */
export function readDeviceTime(dir: string): DeviceAttempt[] {
  const file = path.join(dir, DEVICE_TIME_FILE);
  if (!fs.existsSync(file)) return [];
  return readJsonLines<DeviceAttempt>(file);
}

/** Per part: attempts, calls, wall seconds and device seconds over all attempts. */
export function deviceTimeByPart(attempts: readonly DeviceAttempt[]): Map<string, { attempts: number; calls: number; seconds: number; deviceSeconds: number }> {
  const out = new Map<string, { attempts: number; calls: Set<string>; seconds: number; deviceSeconds: number }>();
  for (const a of attempts) {
    const e = out.get(a.part) ?? { attempts: 0, calls: new Set<string>(), seconds: 0, deviceSeconds: 0 };
    e.attempts++;
    e.calls.add(a.call);
    e.seconds += a.seconds;
    e.deviceSeconds += a.deviceSeconds;
    out.set(a.part, e);
  }
  return new Map([...out].map(([k, e]) => [k, { attempts: e.attempts, calls: e.calls.size, seconds: e.seconds, deviceSeconds: e.deviceSeconds }]));
}

/**
 * The GPU shares of parts running side by side: call `change()` before the set of running parts changes; each
 * running part is credited the time since the last change divided by how many ran.
 */
export class SharedClock {
  private last: number;
  private readonly shares = new Map<string, number>();
  constructor(private readonly now: () => number = () => Date.now() / 1000) {
    this.last = now();
  }
  /** Credits the running parts up to now. */
  change(running: Iterable<string>): void {
    const t = this.now();
    const names = [...running];
    for (const n of names) this.shares.set(n, (this.shares.get(n) ?? 0) + (t - this.last) / names.length);
    this.last = t;
  }
  /** The part's device seconds so far (and forgets it: an attempt's share is read once, when it ends). */
  take(name: string): number {
    const s = this.shares.get(name) ?? 0;
    this.shares.delete(name);
    return s;
  }
}
