import { describe, expect, it } from 'vitest';
import { checks, resolveConfig } from '../../src/config.ts';

const defaults = { lambda: 0.5, steps: 100, objective: 'standard', resume: false };
const rules = { lambda: checks.inRange(0, 1), steps: checks.positiveInt, objective: checks.oneOf(['standard', 'ngdiff']), resume: checks.boolean };

describe('resolveConfig', () => {
  it("merges and coerces CLI strings to the defaults' types", () => {
    expect(resolveConfig('sft', defaults, { lambda: '0.2', steps: '10', resume: 'true' }, rules)).toEqual({
      lambda: 0.2,
      steps: 10,
      objective: 'standard',
      resume: true,
    });
  });

  it.each([
    [{ lambda: 2 }, 'sft.lambda must be a number in [0, 1], got 2'],
    [{ steps: 1.5 }, 'sft.steps must be a positive integer, got 1.5'],
    [{ steps: 'ten' }, "sft.steps must be a number, got 'ten'"],
    [{ objective: 'x' }, 'sft.objective must be one of standard, ngdiff, got "x"'],
    [{ resume: 'yes' }, "sft.resume must be true or false, got 'yes'"],
    [{ lamda: 0.1 }, "unknown option 'sft.lamda'; known: lambda, steps, objective, resume"],
  ])('rejects %j with an exact message', (overrides, message) => {
    expect(() => resolveConfig('sft', defaults, overrides, rules)).toThrow(message);
  });
});
