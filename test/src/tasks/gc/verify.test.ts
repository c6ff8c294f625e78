import { describe, expect, it } from 'vitest';
import { verifyColouring, verifyGc } from '../../../../src/tasks/gc/verify.ts';
import { checkGc, gcTask, solveGc } from '../../../../src/tasks/gc/index.ts';

// A 5-cycle plus a chord: χ = 3.  0-1-2-3-4-0 and 0-2.
const P = '(0,1),(0,2),(0,4),(1,2),(2,3),(3,4)';

describe('verifyGc', () => {
  it('accepts a proper colouring with exactly chromatic-many colours', () => {
    expect(verifyGc('0:1,1:2,2:3,3:1,4:2', P)).toEqual({ correct: true, reason: 'ok' });
    expect(verifyGc(' 4:2 , 3:1,2:3,1:2,0:1 ', P).correct).toBe(true); // order and whitespace free
    expect(verifyGc('0:7,1:0,2:3,3:7,4:0', P).correct).toBe(true); // colour names are arbitrary integers
  });

  it('rejects too many colours, naming the chromatic number', () => {
    expect(verifyGc('0:1,1:2,2:3,3:4,4:2', P)).toEqual({ correct: false, reason: 'uses 4 colours, chromatic number is 3' });
  });

  it('rejects a monochrome edge, naming it', () => {
    expect(verifyGc('0:1,1:2,2:3,3:1,4:1', P)).toEqual({ correct: false, reason: 'edge (0,4) joins colour 1' });
  });

  it('rejects a missing node, including one only the puzzle knows about', () => {
    expect(verifyGc('0:1,1:2,2:3,3:1', P)).toEqual({ correct: false, reason: 'node 4 not coloured' });
    expect(verifyGc('0:1,1:2,2:3,3:1,4:2', P, 6)).toEqual({ correct: false, reason: 'node 5 not coloured' });
  });

  it('rejects malformed answers and perceptions without throwing', () => {
    for (const bad of ['', '   ', '0:1;1:2', '0-1,1:2', '0:1,,1:2', 'a:b', '0:1,1:2,2:3,3:1,4:2,', '0:-1', '99999999999999999999:1']) {
      const v = verifyGc(bad, P);
      expect(v.correct).toBe(false);
      expect(v.reason).toMatch(/malformed answer/);
    }
    expect(verifyGc('0:1,0:2,1:1', P).reason).toBe('node 0 coloured twice');
    expect(verifyGc('0:1,1:2,2:3,3:1,4:2,9:1', P).reason).toBe('node 9 is not in the graph (nodes 0-4)');
    expect(verifyGc('0:1', '(0,1)(1,2)').reason).toMatch(/malformed perception: expected ',' at character 5/);
    expect(verifyGc('0:1', '').reason).toBe('perception has no nodes');
    expect(verifyGc(undefined as unknown as string, P).correct).toBe(false);
    expect(verifyGc('0:1', 42 as unknown as string).correct).toBe(false);
  });

  it('checks against the perception given, not the true graph (Acc(r | p))', () => {
    // With edge (0,4) missing from the perception, the graph is 3-chromatic still, and 0=4 is allowed.
    expect(verifyGc('0:1,1:2,2:3,3:2,4:1', '(0,1),(0,2),(1,2),(2,3),(3,4)').correct).toBe(true);
    expect(verifyGc('0:1,1:2,2:3,3:2,4:1', P).correct).toBe(false);
  });

  it('verifyColouring handles a graph with isolated nodes (chromatic 1 when edgeless)', () => {
    expect(verifyColouring('0:5,1:5,2:5', 3, []).correct).toBe(true);
    expect(verifyColouring('0:5,1:6,2:5', 3, []).reason).toBe('uses 2 colours, chromatic number is 1');
  });

  it('task.verify uses the puzzle node count', () => {
    const puzzle = { id: 'x', task: 'gc', seed: 1, difficulty: 'n=6', pStar: P, solution: '', meta: { nodes: 6, chromatic: 3 } } as const;
    expect(gcTask.verify('0:1,1:2,2:3,3:1,4:2', P, puzzle).reason).toBe('node 5 not coloured');
    expect(gcTask.verify('0:1,1:2,2:3,3:1,4:2,5:1', P, puzzle).correct).toBe(true);
  });
});

describe('solveGc / checkGc', () => {
  it('solves with the default and an explicit node count (isolated nodes allowed)', () => {
    const solved = solveGc(P);
    expect(solved.chromatic).toBe(3);
    expect(verifyGc(solved.answer, P).correct).toBe(true);
    const wide = solveGc('(0,1)', 4);
    expect(wide).toEqual({ chromatic: 2, answer: '0:1,1:2,2:1,3:1' });
    expect(solveGc('', 3)).toEqual({ chromatic: 1, answer: '0:1,1:1,2:1' });
  });

  it('throws clear errors on bad perceptions and node counts', () => {
    expect(() => solveGc('(0,1),(1,x)')).toThrow("perception: expected a node id at character 9, got 'x'");
    expect(() => solveGc('(2,2)')).toThrow('perception: self-loop (2,2) at character 0');
    expect(() => solveGc('')).toThrow(/no edges/);
    expect(() => solveGc('(0,5)', 3)).toThrow('nodes is 3 but the perception mentions node 5');
    expect(() => solveGc('(0,1)', 1.5)).toThrow(/nodes must be an integer/);
    expect(() => solveGc('(0,99)')).toThrow(/exceeds/);
    expect(() => checkGc('(0,1', '0:1,1:2')).toThrow(/expected '\)'/);
  });

  it('check returns verdicts for right and wrong answers', () => {
    expect(checkGc(P, '0:1,1:2,2:3,3:1,4:2')).toEqual({ correct: true, reason: 'ok' });
    expect(checkGc('(0,1)', '0:1,1:2,2:1', 3)).toEqual({ correct: true, reason: 'ok' });
    expect(checkGc(P, 'nonsense').correct).toBe(false);
  });
});
