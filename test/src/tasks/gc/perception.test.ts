import { describe, expect, it } from 'vitest';
import { normalisePerception, parseEdges, samePerception } from '../../../../src/tasks/gc/perception.ts';
import { formatEdges } from '../../../../src/tasks/gc/graph.ts';

describe('GC perception', () => {
  it('normalises order, whitespace, orientation and duplicates to canonical p*', () => {
    expect(normalisePerception(' (3,1) ,(0, 2),\n(1,0),(0,2)')).toBe('(0,1),(0,2),(1,3)');
    expect(
      formatEdges([
        [5, 2],
        [0, 9],
        [0, 3],
      ]),
    ).toBe('(0,3),(0,9),(2,5)');
    expect(parseEdges('')).toEqual([]);
  });

  it('samePerception compares edge sets', () => {
    expect(samePerception('(0,1),(0,3),(2,5)', '(0,1),(0,3),(2,5)')).toBe(true);
    expect(samePerception('(2,5), (3,0),(1,0)', '(0,1),(0,3),(2,5)')).toBe(true);
    expect(samePerception('(0,1),(0,3)', '(0,1),(0,3),(2,5)')).toBe(false);
    expect(samePerception('(0,1),(0,3),(2,6)', '(0,1),(0,3),(2,5)')).toBe(false);
    expect(samePerception('(0,1),(0,3),(2,5),(4,6)', '(0,1),(0,3),(2,5)')).toBe(false);
    expect(samePerception('(0,1) (0,3)', '(0,1),(0,3)')).toBe(false); // malformed never matches
    expect(samePerception('(0,1', '(0,1')).toBe(false);
  });

  it('names the offending character on parse errors', () => {
    expect(() => parseEdges('(0,1),(2;3)')).toThrow("perception: expected ',' at character 8, got ';'");
    expect(() => parseEdges('(0,1),')).toThrow("perception: expected '(' at character 6, got end of text");
    expect(() => parseEdges('(1,1)')).toThrow('perception: self-loop (1,1) at character 0');
  });
});
