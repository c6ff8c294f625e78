import { describe, expect, it } from 'vitest';
import sharp from 'sharp';
import { parseResponse } from '../../../../src/grammar.ts';
import type { Puzzle } from '../../../../src/records.ts';
import { Rng } from '../../../../src/rng.ts';
import { gcOptions, gcTask } from '../../../../src/tasks/gc/index.ts';
import { parseEdges } from '../../../../src/tasks/gc/perception.ts';
import { circleLayout, MIN_SEPARATION, springLayout } from '../../../../src/tasks/gc/layout.ts';

const generate = (seed: number, options = {}) => gcTask.generate(new Rng(seed), `gc-test-${seed}`, seed, options);

describe('gcTask.generate', () => {
  it('gives 7-9 nodes, no isolated node, canonical p*, and a verified solution', () => {
    const sizes = new Set<number>();
    for (let seed = 0; seed < 60; seed++) {
      const puzzle = generate(seed);
      const n = Number(puzzle.meta.nodes);
      sizes.add(n);
      expect(n).toBeGreaterThanOrEqual(7);
      expect(n).toBeLessThanOrEqual(9);
      const edges = parseEdges(puzzle.pStar);
      const degree = new Array<number>(n).fill(0);
      for (const [i, j] of edges) {
        expect(i).toBeLessThan(j);
        expect(j).toBeLessThan(n);
        degree[i]++;
        degree[j]++;
      }
      expect(degree.every((d) => d > 0)).toBe(true);
      expect(puzzle.pStar).toMatch(/^\(\d,\d\)(,\(\d,\d\))*$/);
      expect(puzzle.meta.edges).toBe(edges.length);
      expect(gcTask.verify(puzzle.solution, puzzle.pStar, puzzle)).toEqual({ correct: true, reason: 'ok' });
      expect(new Set(puzzle.solution.split(',').map((e) => e.split(':')[1])).size).toBe(puzzle.meta.chromatic);
    }
    expect([...sizes].sort()).toEqual([7, 8, 9]);
  });

  it('is deterministic by seed and differs across seeds', () => {
    expect(generate(5)).toEqual(generate(5));
    expect(generate(5).pStar).not.toBe(generate(6).pStar);
  });

  it('validates options with exact messages', () => {
    expect(() => gcOptions({ layout: 'grid' })).toThrow('gc.layout must be one of circle, spring, got "grid"');
    expect(() => gcOptions({ verbosity: 5 })).toThrow('gc.verbosity must be an integer in [0, 4], got 5');
    expect(() => gcOptions({ minNodes: 9, maxNodes: 7 })).toThrow(/minNodes <= maxNodes/);
    expect(() => gcOptions({ colour: 1 })).toThrow(/unknown option 'gc.colour'/);
    expect(gcOptions({ nodes: undefined } as never).layout).toBe('circle');
  });
});

/** 5-cycle plus pendant nodes: clique size 2, χ = 3, so 2 colours must fail first. */
const C5: Puzzle = {
  id: 'c5',
  task: 'gc',
  seed: 0,
  difficulty: 'n=7',
  pStar: '(0,1),(0,4),(1,2),(2,3),(3,4),(4,5),(5,6)',
  solution: '',
  meta: { nodes: 7, chromatic: 3 },
};

describe('gcTask.response', () => {
  it('starts with the p* caption and its answer verifies, at every verbosity', () => {
    for (let seed = 0; seed < 25; seed++) {
      const puzzle = generate(seed);
      let previous = 0;
      for (const verbosity of [0, 1, 2, 3, 4]) {
        const text = gcTask.response(puzzle, { verbosity });
        expect(text.startsWith(`<caption>${puzzle.pStar}</caption>`)).toBe(true);
        expect(text).toMatch(/^[\x20-\x7e\n]*$/); // ASCII only: nothing maps to UNK
        const parsed = parseResponse(text);
        if (!parsed.ok) throw new Error(`unparsable response: ${parsed.failure}`);
        expect(parsed.perception).toBe(puzzle.pStar);
        expect(gcTask.verify(parsed.answer, parsed.perception, puzzle)).toEqual({ correct: true, reason: 'ok' });
        expect(parsed.reasoning).toContain(`Minimum colours: ${puzzle.meta.chromatic}.`);
        expect(text.length).toBeGreaterThan(previous);
        previous = text.length;
      }
    }
  });

  it('at verbosity 4 restates the colouring so far, which ends as the answer after any backtracking', () => {
    for (const puzzle of [C5, ...Array.from({ length: 40 }, (_, seed) => generate(seed))]) {
      const text = gcTask.response(puzzle, { verbosity: 4 });
      const states = [...text.matchAll(/Coloured so far: ([0-9=,]+)\./g)].map((m) => m[1].split(',').sort().join(','));
      const answer = /<answer>(.*)<\/answer>/.exec(text)![1].replaceAll(':', '=').split(',').sort().join(',');
      expect(states.at(-1)).toBe(answer);
      for (const state of states) expect(new Set(state.split(',').map((p) => p.split('=')[0])).size).toBe(state.split(',').length); // no node twice
    }
  });

  it('shows backtracking when the clique bound is not enough', () => {
    const text = gcTask.response(C5, { verbosity: 2 });
    expect(text).toContain('Try 2 colours.');
    expect(text).toContain('2 colours fail');
    expect(text).toMatch(/conflict, backtrack/);
    expect(text).toContain('All nodes coloured with 3 colours.');
  });
});

describe('puzzles without meta.nodes (e.g. imported)', () => {
  it('take the node count from the edge list', async () => {
    const puzzle = { id: 'imp', task: 'gc', seed: 0, difficulty: '', pStar: '(0,1),(1,2),(0,2),(2,3)', solution: '', meta: {} } as const;
    const text = gcTask.response(puzzle, {});
    const parsed = parseResponse(text);
    expect(parsed.ok && gcTask.verify(parsed.answer, puzzle.pStar, puzzle).correct).toBe(true);
    expect((await gcTask.render(puzzle, { layout: 'spring', pngSize: 64, inputSize: 32 })).pixels.length).toBe(32 * 32);
  });
});

describe('gcTask.render', () => {
  it('gives a 448x448 PNG and a 144x144 input in [0,1], byte-identical per seed', async () => {
    const puzzle = generate(3);
    for (const layout of ['circle', 'spring']) {
      const a = await gcTask.render(puzzle, { layout });
      const b = await gcTask.render(puzzle, { layout });
      expect(Buffer.compare(Buffer.from(a.png), Buffer.from(b.png))).toBe(0);
      expect(a.pixels).toEqual(b.pixels);
      const meta = await sharp(a.png).metadata();
      expect([meta.format, meta.width, meta.height]).toEqual(['png', 448, 448]);
      expect([a.width, a.height, a.pixels.length]).toEqual([144, 144, 144 * 144]);
      const min = a.pixels.reduce((m, x) => Math.min(m, x), 1);
      const white = a.pixels.filter((x) => x > 0.95).length / a.pixels.length;
      expect(min).toBeLessThan(0.1); // black ink present
      expect(white).toBeGreaterThan(0.6); // mostly paper
      expect(a.pixels.every((x) => x >= 0 && x <= 1)).toBe(true);
    }
    const small = await gcTask.render(puzzle, { inputSize: 72, pngSize: 224 });
    expect(small.pixels.length).toBe(72 * 72);
    expect((await sharp(small.png).metadata()).width).toBe(224);
  });

  it('keeps spring-layout nodes apart so labels never overlap', () => {
    for (let seed = 0; seed < 40; seed++) {
      const puzzle = generate(seed, { edgeProb: 0.6 });
      const n = Number(puzzle.meta.nodes);
      const pos = springLayout(n, parseEdges(puzzle.pStar), new Rng(seed));
      for (let a = 0; a < n; a++) {
        for (let b = a + 1; b < n; b++) {
          expect(Math.hypot(pos[a][0] - pos[b][0], pos[a][1] - pos[b][1])).toBeGreaterThan(MIN_SEPARATION - 1);
        }
      }
    }
    const circle = circleLayout(7, 9);
    expect(circle[0][0]).toBeCloseTo(224); // node 0 at the top, the same slot for every node count
    expect(circleLayout(9, 9)[3]).toEqual(circle[3]);
  });
});
