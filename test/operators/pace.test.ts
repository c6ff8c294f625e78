import { TestScheduler } from 'rxjs/testing';
import { describe, expect, it } from 'vitest';
import { pace } from '../../operators/pace.ts';

const marbles = () => new TestScheduler((actual, expected) => expect(actual).toEqual(expected));
const stamped = { a: { time: 0 }, b: { time: 20 }, c: { time: 50 } };

describe('pace', () => {
  it('spreads values by their time field divided by speed', () => {
    marbles().run(({ cold, expectObservable }) => {
      expectObservable(cold('(abc|)', stamped).pipe(pace(10))).toBe('a-b--(c|)', stamped);
    });
  });

  it('measures from the first stamped value, not from subscription', () => {
    marbles().run(({ cold, expectObservable }) => {
      expectObservable(cold('---(abc|)', stamped).pipe(pace(10))).toBe('---a-b--(c|)', stamped);
    });
  });

  it('lets late values and values without a time pass at once', () => {
    const values = { a: { time: 0 }, b: { time: 10 }, x: { step: 1 } };
    marbles().run(({ cold, expectObservable }) => {
      // b is due at frame 1 but arrives at frame 5; x has no time
      expectObservable(cold('a----bx|', values).pipe(pace(10))).toBe('a----bx|', values);
    });
  });

  it('rejects a speed that is not a positive number', () => {
    expect(() => pace(0)).toThrow('pace speed must be a positive number, got 0');
    expect(() => pace(Number.NaN)).toThrow('pace speed must be a positive number, got NaN');
  });
});
