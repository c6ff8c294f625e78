import { describe, expect, it } from 'vitest';
import { Rng } from '../../../../src/rng.ts';
import { colourGraph, maximumClique } from '../../../../src/tasks/gc/chromatic.ts';
import { generateGraph, neighbours, type Edge } from '../../../../src/tasks/gc/graph.ts';

/** χ by enumerating every colouring with k = 1, 2, … colours (k^n assignments). */
function bruteChromatic(n: number, edges: readonly Edge[]): number {
  for (let k = 1; k <= n; k++) {
    const colours = new Array<number>(n).fill(0);
    for (let code = 0; code < k ** n; code++) {
      for (let v = 0, c = code; v < n; v++, c = Math.floor(c / k)) colours[v] = c % k;
      if (edges.every(([i, j]) => colours[i] !== colours[j])) return k;
    }
  }
  return n;
}

describe('colourGraph', () => {
  it('matches brute force on random graphs with up to 7 nodes', () => {
    const rng = new Rng(11);
    const seen = new Set<number>();
    for (let t = 0; t < 150; t++) {
      const n = rng.range(2, 7);
      const edges = generateGraph(rng, n, [0.3, 0.5, 0.8][t % 3]);
      const result = colourGraph(n, edges);
      expect(result.chromatic).toBe(bruteChromatic(n, edges));
      seen.add(result.chromatic);
      expect(result.colours).toHaveLength(n);
      expect(new Set(result.colours).size).toBe(result.chromatic);
      for (const [i, j] of edges) expect(result.colours[i]).not.toBe(result.colours[j]);
    }
    expect(seen.size).toBeGreaterThanOrEqual(4); // the sample covered several chromatic numbers
  });

  it('knows classic graphs: odd cycle 3, even cycle 2, K5 5, Petersen 3', () => {
    const cycle = (n: number): Edge[] => Array.from({ length: n }, (_, i) => [i, (i + 1) % n].sort((a, b) => a - b) as unknown as Edge);
    expect(colourGraph(7, cycle(7)).chromatic).toBe(3);
    expect(colourGraph(8, cycle(8)).chromatic).toBe(2);
    const k5: Edge[] = [];
    for (let i = 0; i < 5; i++) for (let j = i + 1; j < 5; j++) k5.push([i, j]);
    expect(colourGraph(5, k5).chromatic).toBe(5);
    const petersen: Edge[] = [
      [0, 1],
      [1, 2],
      [2, 3],
      [3, 4],
      [0, 4],
      [0, 5],
      [1, 6],
      [2, 7],
      [3, 8],
      [4, 9],
      [5, 7],
      [7, 9],
      [6, 9],
      [6, 8],
      [5, 8],
    ];
    expect(colourGraph(10, petersen).chromatic).toBe(3);
    expect(colourGraph(3, []).chromatic).toBe(1);
  });

  it('maximumClique finds a largest clique', () => {
    const edges: Edge[] = [
      [0, 1],
      [1, 2],
      [2, 3],
      [3, 4],
      [2, 4],
      [1, 3],
      [1, 4],
    ];
    expect(maximumClique(5, neighbours(5, edges))).toEqual([1, 2, 3, 4]);
  });
});
