import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { readJsonLines } from '../../../src/io/json-lines.ts';

let dir: string;
beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'asymflow-jsonl-'));
});
afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

it('reads one value a line, skipping blank lines', () => {
  const file = path.join(dir, 'ok.jsonl');
  fs.writeFileSync(file, '{"a":1}\n\n  \n{"a":2}\n');
  expect(readJsonLines<{ a: number }>(file)).toEqual([{ a: 1 }, { a: 2 }]);
});

it('names the file and the line that is not JSON', () => {
  const file = path.join(dir, 'bad.jsonl');
  fs.writeFileSync(file, '{"a":1}\n{"a":\n');
  expect(() => readJsonLines(file)).toThrow(`${file}: line 2 is not JSON`);
});
