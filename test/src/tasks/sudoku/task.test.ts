import { describe, expect, it } from 'vitest';
import sharp from 'sharp';
import { parseResponse } from '../../../../src/grammar.ts';
import type { Puzzle } from '../../../../src/records.ts';
import { Rng } from '../../../../src/rng.ts';
import { getTask } from '../../../../src/tasks/registry.ts';
import { countBlanks, countSolutions, parseGrid, SUDOKU_DEFAULTS, sudokuOptions, sudokuTask } from '../../../../src/tasks/sudoku/index.ts';

const generate = (seed: number, options = {}) => sudokuTask.generate(new Rng(seed), `sudoku-test-${seed}`, seed, options);
const puzzleOf = (pStar: string): Puzzle => ({ id: 'fixed', task: 'sudoku', seed: 0, difficulty: '', pStar, solution: '', meta: {} });

describe('sudokuTask.generate', () => {
  it('gives puzzles with exactly `blanks` blanks and one solution, recorded as the solution', () => {
    for (const blanks of [SUDOKU_DEFAULTS.blanks, 12, 50]) {
      for (let seed = 0; seed < 8; seed++) {
        const puzzle = generate(seed, { blanks });
        expect(puzzle.pStar).toMatch(/^\d{9}(\/\d{9}){8}$/);
        expect(puzzle.solution).toMatch(/^[1-9]{9}(\/[1-9]{9}){8}$/);
        expect(countBlanks(parseGrid(puzzle.pStar))).toBe(blanks);
        expect([puzzle.difficulty, puzzle.meta.blanks, puzzle.task]).toEqual([`blanks=${blanks}`, blanks, 'sudoku']);
        expect(countSolutions(parseGrid(puzzle.pStar)).count).toBe(1);
        expect(sudokuTask.verify(puzzle.solution, puzzle.pStar, puzzle)).toEqual({ correct: true, reason: 'ok' });
      }
    }
  });

  it('is deterministic by seed, differs across seeds, and is the registered task', async () => {
    expect(generate(5)).toEqual(generate(5));
    expect(generate(5).pStar).not.toBe(generate(6).pStar);
    expect(await getTask('sudoku')).toBe(sudokuTask);
  });

  it('validates options with exact messages', () => {
    expect(() => sudokuOptions({ blanks: 0 })).toThrow('sudoku.blanks must be an integer in [1, 58], got 0');
    expect(() => sudokuOptions({ blanks: 59 })).toThrow('sudoku.blanks must be an integer in [1, 58], got 59');
    expect(() => sudokuOptions({ verbosity: 4 })).toThrow('sudoku.verbosity must be an integer in [0, 3], got 4');
    expect(() => sudokuOptions({ inputSize: 70 })).toThrow('sudoku.inputSize must be a multiple of 9, at least 36 (one patch per cell), got 70');
    expect(() => sudokuOptions({ pngSize: 20 })).toThrow('sudoku.pngSize must be an integer >= 36, got 20');
    expect(() => sudokuOptions({ nodes: 8 })).toThrow(/unknown option 'sudoku.nodes'/);
    expect(sudokuOptions({ blanks: '25' as never }).blanks).toBe(25); // CLI strings are coerced
  });
});

describe('sudokuTask.response', () => {
  it('starts with the p* caption, parses, and its answer verifies, at every verbosity', () => {
    for (let seed = 0; seed < 12; seed++) {
      const puzzle = generate(seed, { blanks: 20 + 3 * seed });
      let previous = 0;
      for (const verbosity of [0, 1, 2, 3]) {
        const text = sudokuTask.response(puzzle, { verbosity });
        expect(text.startsWith(`<caption>${puzzle.pStar}</caption>`)).toBe(true);
        expect(text).toMatch(/^[\x20-\x7e\n]*$/); // ASCII only: nothing maps to UNK
        const parsed = parseResponse(text);
        if (!parsed.ok) throw new Error(`unparsable response: ${parsed.failure}`);
        expect(parsed.perception).toBe(puzzle.pStar);
        expect(parsed.answer).toBe(puzzle.solution);
        expect(sudokuTask.verify(parsed.answer, parsed.perception, puzzle)).toEqual({ correct: true, reason: 'ok' });
        expect(text.length).toBeGreaterThan(previous);
        previous = text.length;
      }
    }
  });

  it('guesses and backtracks on a puzzle that singles cannot crack', () => {
    // Arto Inkala's "hardest Sudoku": no single at the start, so the solver must guess
    const hard = '800000000/003600000/070090200/050007000/000045700/000100030/001000068/008500010/090000400';
    const text = sudokuTask.response(puzzleOf(hard), { verbosity: 2 });
    expect(text).toMatch(/guess \d\./);
    expect(text).toMatch(/backtrack\./);
    expect(text).toMatch(/Back to r\dc\d: try \d\./);
    const parsed = parseResponse(text);
    expect(parsed.ok && parsed.answer).toBe(
      countSolutions(parseGrid(hard))
        .solution!.join('')
        .replace(/(\d{9})(?=\d)/g, '$1/'),
    );
    expect(sudokuTask.verify(parsed.ok ? parsed.answer : '', hard)).toEqual({ correct: true, reason: 'ok' });
  });

  it('names hidden singles and locked candidates when naked singles run out', () => {
    let hidden = 0;
    let locked = 0;
    for (let seed = 0; seed < 10; seed++) {
      const text = sudokuTask.response(generate(seed, { blanks: 55 }), { verbosity: 3 });
      hidden += (text.match(/, only place in (row|column|box) \d\./g) ?? []).length;
      locked += (text.match(/has \d only in (row|column|box) \d: remove \d from/g) ?? []).length;
      expect(text).toMatch(/^<caption>[^<]*<\/caption>Candidates: r\dc\d \d+,/);
    }
    expect(hidden).toBeGreaterThan(0);
    expect(locked).toBeGreaterThan(0);
  });

  it('throws a clear error for givens without a solution', () => {
    const broken = '553070000/600195000/098000060/800060003/400803001/700020006/060000280/000419005/000080079';
    expect(() => sudokuTask.response(puzzleOf(broken), {})).toThrow('sudoku: the givens conflict: row 1 has two 5s');
  });
});

describe('sudokuTask.render', () => {
  it('gives a 448x448 PNG and a 72x72 input in [0,1], byte-identical per puzzle', async () => {
    const puzzle = generate(3);
    const a = await sudokuTask.render(puzzle, {});
    const b = await sudokuTask.render(generate(3), {});
    expect(Buffer.compare(Buffer.from(a.png), Buffer.from(b.png))).toBe(0);
    expect(a.pixels).toEqual(b.pixels);
    const meta = await sharp(a.png).metadata();
    expect([meta.format, meta.width, meta.height, meta.channels]).toEqual(['png', 448, 448, 1]);
    expect([a.width, a.height, a.pixels.length]).toEqual([72, 72, 72 * 72]);
    expect(a.pixels.every((x) => x >= 0 && x <= 1)).toBe(true);
    const white = a.pixels.filter((x) => x > 0.95).length / a.pixels.length;
    expect(white).toBeGreaterThan(0.3); // mostly paper, dark ink and lines
    expect(a.pixels.reduce((m, x) => Math.min(m, x), 1)).toBe(0);
    const big = await sudokuTask.render(puzzle, { inputSize: 144, pngSize: 224 });
    expect([big.width, big.pixels.length]).toEqual([144, 144 * 144]);
    expect((await sharp(big.png).metadata()).width).toBe(224);
  });

  it('puts ink exactly in the cells holding givens, one cell per patch', async () => {
    const puzzle = generate(4);
    const givens = parseGrid(puzzle.pStar);
    const size = 72;
    const { pixels } = await sudokuTask.render(puzzle, { inputSize: size });
    const cell = size / 9;
    for (let i = 0; i < 81; i++) {
      const [y0, x0] = [Math.floor(i / 9) * cell, (i % 9) * cell];
      let ink = 0; // darkness inside the cell, frame excluded
      for (let y = 1; y < cell - 1; y++) for (let x = 1; x < cell - 1; x++) ink += 1 - pixels[(y0 + y) * size + x0 + x];
      if (givens[i] === 0) expect(ink).toBe(0);
      else expect(ink).toBeGreaterThan(2);
    }
  });

  it('draws the same digit with different MNIST images across puzzles', async () => {
    // the top-left cell of two puzzles holding the same digit there
    const seen = new Map<string, Float32Array>();
    let compared = 0;
    for (let seed = 0; seed < 40 && compared < 2; seed++) {
      const puzzle = generate(seed, { blanks: 1 });
      const key = puzzle.pStar[0];
      const { pixels } = await sudokuTask.render(puzzle, { inputSize: 144, pngSize: 36 });
      const patch = new Float32Array(16 * 16);
      for (let y = 0; y < 16; y++) for (let x = 0; x < 16; x++) patch[y * 16 + x] = pixels[y * 144 + x];
      const before = seen.get(key);
      if (before) {
        expect(patch).not.toEqual(before);
        compared++;
      } else seen.set(key, patch);
    }
    expect(compared).toBe(2);
  });
});
