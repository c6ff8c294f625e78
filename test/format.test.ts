/**
 * The formatter's check: every file prettier formats (code; .prettierignore leaves docs, reports and data
 * alone) is as `npm run format` writes it. A failure names the files; `npm run format` fixes them.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as prettier from 'prettier';
import { describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('..', import.meta.url));
const ignorePath = join(root, '.prettierignore');

describe('format', () => {
  it('every formatted file is as prettier writes it', async () => {
    // tracked and new (not ignored) files: what a commit would carry
    const files = execFileSync('git', ['ls-files', '--cached', '--others', '--exclude-standard'], { cwd: root, encoding: 'utf8' })
      .split('\n')
      .filter((f) => f !== '');
    const unformatted: string[] = [];
    let checked = 0;
    for (const file of files) {
      const path = join(root, file);
      const info = await prettier.getFileInfo(path, { ignorePath });
      if (info.ignored || info.inferredParser === null) continue;
      const options = await prettier.resolveConfig(path);
      let source: string;
      try {
        source = readFileSync(path, 'utf8');
      } catch {
        continue; // deleted in the work tree, not yet in the index
      }
      checked++;
      if (!(await prettier.check(source, { ...options, filepath: path }))) unformatted.push(file);
    }
    expect(checked).toBeGreaterThan(400); // the check reaches the code (src, flows, operators, tui, test, bench, …)
    expect(unformatted, `not formatted (run npm run format): ${unformatted.join(', ')}`).toEqual([]);
  }, 120_000);
});
