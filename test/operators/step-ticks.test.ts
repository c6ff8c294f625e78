import { TestScheduler } from 'rxjs/testing';
import { describe, expect, it } from 'vitest';
import { stepTicks } from '../../operators/step-ticks.ts';

const marbles = () => new TestScheduler((actual, expected) => expect(actual).toEqual(expected));

describe('stepTicks', () => {
  it('releases the first step at once and each next one only when next() is called', () => {
    marbles().run(({ cold, expectObservable }) => {
      const ticks = stepTicks(1, 3);
      cold('---x----x').subscribe(() => ticks.next()); // the pipeline finishes a step at frames 3 and 8
      expectObservable(ticks.ticks$).toBe('a--b----(c|)', { a: 1, b: 2, c: 3 });
    });
  });

  it('completes after the last step and ignores further next() calls', () => {
    marbles().run(({ cold, expectObservable }) => {
      const ticks = stepTicks(5, 6);
      cold('-x-x-x').subscribe(() => ticks.next());
      expectObservable(ticks.ticks$).toBe('a(b|)', { a: 5, b: 6 });
    });
  });

  it('buffers nothing ahead: calls to next() before the first tick do not skip steps', () => {
    marbles().run(({ cold, expectObservable }) => {
      const ticks = stepTicks(1, 3);
      ticks.next(); // nobody listens yet: lost, not queued
      cold('--x--x').subscribe(() => ticks.next());
      expectObservable(ticks.ticks$).toBe('a-b--(c|)', { a: 1, b: 2, c: 3 });
    });
  });

  it('is empty when last is before first (a resumed run that is already done)', () => {
    marbles().run(({ expectObservable }) => {
      expectObservable(stepTicks(11, 10).ticks$).toBe('|');
    });
  });

  it('rejects step numbers that are not integers', () => {
    expect(() => stepTicks(1.5, 3)).toThrow('stepTicks: first and last must be integers, got 1.5 and 3');
    expect(() => stepTicks(1, Number.NaN)).toThrow(RangeError);
  });
});
