import { afterEach, describe, expect, it, vi } from 'vitest';
import { handleInterrupts } from '../../tui/interrupt.ts';

afterEach(() => {
  process.exitCode = undefined; // SIGINT sets 130 for the process; not for this test worker
});

describe('handleInterrupts', () => {
  it('the first SIGINT asks the flow to stop (exit code 130), the second exits at once; dispose stops listening', () => {
    const onStop = vi.fn();
    const exit = vi.fn();
    const lines: string[] = [];
    const interrupts = handleInterrupts({ onStop, notify: (l) => lines.push(l), exit });
    const listeners = process.listenerCount('SIGINT');
    process.emit('SIGINT');
    expect(onStop).toHaveBeenCalledTimes(1);
    expect(exit).not.toHaveBeenCalled();
    expect(process.exitCode).toBe(130);
    process.emit('SIGINT');
    expect(onStop).toHaveBeenCalledTimes(1);
    expect(exit).toHaveBeenCalledWith(130);
    expect(lines).toEqual([
      'interrupt: stopping after the current step (checkpoint, then exit); interrupt again to exit now',
      'interrupt: exiting now, without a checkpoint of the steps since the last one',
    ]);
    interrupts.dispose();
    expect(process.listenerCount('SIGINT')).toBe(listeners - 1);
  });

  it('q stops once and never exits; Ctrl-C read as a key escalates without touching the exit code', () => {
    const onStop = vi.fn();
    const exit = vi.fn();
    const interrupts = handleInterrupts({ onStop, notify: () => {}, exit });
    interrupts.stop();
    interrupts.stop();
    expect(onStop).toHaveBeenCalledTimes(1);
    expect(exit).not.toHaveBeenCalled();
    interrupts.interrupt(false);
    expect(exit).toHaveBeenCalledWith(130);
    expect(process.exitCode).toBeUndefined();
    interrupts.dispose();
  });
});
