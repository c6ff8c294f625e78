import { spawnSync } from 'node:child_process';
import { PassThrough, Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { solveCheckStream } from '../../../tui/commands/solve-check.ts';

const GIVENS = '530070000/600195000/098000060/800060003/400803001/700020006/060000280/000419005/000080079';
const SOLVED = '534678912/672195348/198342567/859761423/426853791/713924856/961537284/287419635/345286179';

async function run(verb: 'solve' | 'check', task: string, lines: readonly string[]): Promise<unknown[]> {
  const out = new PassThrough();
  let text = '';
  out.on('data', (chunk: Buffer) => (text += chunk.toString()));
  const count = await solveCheckStream(verb, task, Readable.from([lines.join('\n') + '\n']), out);
  expect(count).toBe(lines.length);
  return text
    .trimEnd()
    .split('\n')
    .map((line) => JSON.parse(line));
}

describe('asymflow solve / check', () => {
  it('solve gc: χ and a χ-colouring per line; bad lines become errors naming the line and the stream goes on', async () => {
    const replies = await run('solve', 'gc', [
      '{"perception": "(0,1),(1,2),(0,2)"}',
      'not json',
      '{"perception": "(0,1)", "nodes": 4}',
      '',
      '{"perception": "(0,1)", "nodes": 1}',
      '{"perception": "(0,1),(1,x)"}',
      '{"perception": "(0,1)", "colour": 2}',
      '[1]',
      '{"perception": "(1,3)"}',
    ]);
    expect(replies).toEqual([
      { chromatic: 3, answer: '0:1,1:2,2:3' },
      { error: expect.stringMatching(/^line 2: not JSON \(/) },
      { chromatic: 2, answer: '0:1,1:2,2:1,3:1' }, // isolated nodes 2 and 3 allowed
      { error: 'line 4: empty line, expected a JSON object' },
      { error: 'line 5: nodes is 1 but the perception mentions node 1' },
      { error: "line 6: perception: expected a node id at character 9, got 'x'" },
      { error: "line 7: unknown key 'colour' for solve --task gc; expected perception, nodes" },
      { error: 'line 8: expected a JSON object, got an array' },
      { chromatic: 2, answer: '0:1,1:1,2:1,3:2' },
    ]);
  });

  it('solve sudoku: solution count (2 = two or more) and a solution when there is one', async () => {
    const empty = Array(9).fill('000000000').join('/');
    const conflict = `55${GIVENS.slice(2)}`;
    const replies = (await run('solve', 'sudoku', [
      `{"perception": "${GIVENS}"}`,
      `{"perception": "${empty}"}`,
      `{"perception": "${conflict}"}`,
      '{"perception": "123"}',
    ])) as Record<string, unknown>[];
    expect(replies[0]).toEqual({ solutions: 1, answer: SOLVED });
    expect(replies[1].solutions).toBe(2);
    expect(replies[2]).toEqual({ solutions: 0, answer: null });
    expect(replies[3]).toEqual({ error: "line 4: perception: expected 9 rows joined by '/', got 1" });
  });

  it('check: a verdict with its reason per line, for both tasks', async () => {
    expect(
      await run('check', 'gc', [
        '{"perception": "(0,1),(1,2)", "answer": "0:1,1:2,2:1"}',
        '{"perception": "(0,1)", "answer": "0:1,1:1"}',
        '{"perception": "(0,1)"}',
        '{"perception": "(0,1)", "answer": "0:1,1:2,2:1", "nodes": 3}',
      ]),
    ).toEqual([
      { correct: true, reason: 'ok' },
      { correct: false, reason: 'edge (0,1) joins colour 1' },
      { error: 'line 3: "answer" must be a string, got nothing' },
      { correct: true, reason: 'ok' },
    ]);
    const wrong = `${SOLVED.slice(0, 2)}5${SOLVED.slice(3)}`; // a second 5 in row 1
    const replies = (await run('check', 'sudoku', [
      `{"perception": "${GIVENS}", "answer": "${SOLVED}"}`,
      `{"perception": "${GIVENS}", "answer": "${wrong}"}`,
      `{"perception": "${GIVENS}", "answer": "12"}`,
    ])) as { correct: boolean; reason: string }[];
    expect(replies[0]).toEqual({ correct: true, reason: 'ok' });
    expect(replies[1].correct).toBe(false);
    expect(replies[2].correct).toBe(false);
    expect(replies[2].reason).toMatch(/^malformed answer/);
    await expect(solveCheckStream('check', 'maze', Readable.from([]), new PassThrough())).rejects.toThrow('check.task must be one of gc, sudoku, got "maze"');
  });

  it('streams stdin to stdout through the CLI, one line out per line in, in order', () => {
    const input = Array.from({ length: 200 }, (_, i) => (i % 50 === 7 ? '{oops' : JSON.stringify({ perception: `(0,${1 + (i % 9)})` }))).join('\n');
    const result = spawnSync(process.execPath, ['--import', 'tsx', 'tui/cli.ts', 'solve', '--task', 'gc'], { input, encoding: 'utf8', timeout: 30_000 });
    expect(result.status).toBe(0);
    const lines = result.stdout
      .trimEnd()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(lines).toHaveLength(200);
    lines.forEach((reply, i) => {
      if (i % 50 === 7) expect(reply.error).toMatch(new RegExp(`^line ${i + 1}: not JSON`));
      else
        expect(reply).toEqual({
          chromatic: 2,
          answer: ['0:1', ...Array.from({ length: 1 + (i % 9) }, (_, v) => `${v + 1}:${v + 1 === 1 + (i % 9) ? 2 : 1}`)].join(','),
        });
    });
  });
});
