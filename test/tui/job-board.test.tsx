/**
 * The coordinator's live job board: its lines fit 80×24 whatever the jobs (running and failed ones first when
 * not all fit), the Ink view shows each job's state, step, ETA, accuracies and worker with the log above it,
 * and the CLI shows it on a terminal (colours, none under NO_COLOR) and falls back to plain lines elsewhere.
 */
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { render } from 'ink-testing-library';
import { BehaviorSubject, Subject } from 'rxjs';
import { describe, expect, it } from 'vitest';
import type { JobRow } from '../../src/queue/job-board.ts';
import { boardLines } from '../../tui/jobs/job-board-lines.ts';
import { JobBoardView } from '../../tui/jobs/job-board-view.tsx';

const row = (i: number, state: string, extra: Partial<JobRow> = {}): JobRow => ({
  id: `job-${i}`,
  label: `seed-${i}/sudoku/surrogate-rl-long-name`,
  state,
  ...extra,
});

describe('job board lines', () => {
  it('fit 80×24 with 40 jobs: running and failed ones first, the rest counted', () => {
    const rows = [
      ...Array.from({ length: 30 }, (_, i) =>
        row(i, 'completed', {
          step: 600,
          totalSteps: 600,
          metrics: { 'eval/a': 0.4321, 'eval/ap': 0.9, 'eval/ar': 0.05 },
          worker: 'a-very-long-host-name.example.org:123456',
        }),
      ),
      ...Array.from({ length: 6 }, (_, i) => row(30 + i, 'waiting')),
      ...Array.from({ length: 3 }, (_, i) => row(36 + i, 'active', { step: 120, totalSteps: 600, etaMs: 754_000, worker: 'gpu3:4127' })),
      row(39, 'failed', { error: 'job seed-39: its process was killed by SIGKILL (out of memory?) before finishing' }),
    ];
    const b = boardLines(rows, 80, 24);
    expect(b.lines.length + 1 + 1 + (b.more ? 1 : 0)).toBeLessThanOrEqual(23); // title, columns, jobs, more; a line for the cursor
    for (const l of [b.columns, ...b.lines.map((x) => x.text), b.more ?? '']) expect(l.length).toBeLessThanOrEqual(80);
    expect(b.lines.filter((l) => l.state === 'active')).toHaveLength(3);
    expect(b.lines.find((l) => l.state === 'failed')!.text).toMatch(/^seed-39\/sudoku\/surrogat… failed\s+job seed-39: its process was killed by SIGKI$/); // its error, cut at 80
    expect(b.lines.find((l) => l.state === 'active')!.text).toMatch(/^seed-36\/sudoku\/surrogat… active\s+120\/600\s+12:34\s+—\s+—\s+— gpu3:…$/); // at 80 columns the worker gets what is left
    expect(b.counts).toBe('40 jobs: 3 active · 6 waiting · 1 failed · 30 completed');
    expect(b.more).toBe(`… ${40 - b.lines.length} more: ${40 - b.lines.length} completed`);
    const done = b.lines.find((l) => l.state === 'completed')!.text;
    expect(done).toMatch(/ done\s+600\/600\s+43\.2\s+90\.0\s+5\.0 a-ver…$/);
    expect(boardLines(rows, 120, 24).lines.find((l) => l.state === 'active')!.text).toMatch(/ gpu3:4127$/); // wider: all of it
  });
});

describe('job board view', () => {
  it('shows every job live with the log lines above', async () => {
    const board$ = new BehaviorSubject<readonly JobRow[]>([]);
    const log$ = new Subject<string>();
    const app = render(<JobBoardView title="reproduce · 2 at once" board$={board$} log$={log$} frameMs={5} />);
    try {
      log$.next('parallel: seed-0/gc/sft: started (1/2 slots)');
      board$.next([
        { id: '1', label: 'seed-0/gc/sft', state: 'active', step: 3, totalSteps: 4, etaMs: 5_000, metrics: { 'eval/a': 0.25 }, worker: 'local:99' },
        { id: '2', label: 'seed-0/gc/rl', state: 'waiting' },
      ]);
      const until = async (text: string) => {
        for (let i = 0; i < 400 && !(app.lastFrame() ?? '').includes(text); i++) await new Promise((r) => setTimeout(r, 5));
        return app.lastFrame() ?? '';
      };
      const frame = await until('3/4');
      expect(frame).toContain('reproduce · 2 at once · 2 jobs: 1 active · 1 waiting');
      expect(frame).toMatch(/seed-0\/gc\/sft\s+active\s+3\/4\s+0:05\s+25\.0\s+—\s+—\s+local:99/);
      expect(frame).toMatch(/seed-0\/gc\/rl\s+waiting/);
      expect(app.frames.join('\n')).toContain('parallel: seed-0/gc/sft: started (1/2 slots)');
      board$.next([
        { id: '1', label: 'seed-0/gc/sft', state: 'completed', step: 4, totalSteps: 4 },
        { id: '2', label: 'seed-0/gc/rl', state: 'failed', error: 'boom' },
      ]);
      expect(await until('boom')).toMatch(/seed-0\/gc\/rl\s+failed\s+boom/);
    } finally {
      app.unmount();
    }
  });
});

describe('the CLI attaches it', () => {
  const root = fileURLToPath(new URL('../..', import.meta.url));
  const fixture = fileURLToPath(new URL('./fixtures/job-board-frame.ts', import.meta.url));
  const run = (file: string, args: string[], env: Record<string, string | undefined>) => {
    const childEnv: NodeJS.ProcessEnv = { ...process.env, FORCE_COLOR: undefined, NO_COLOR: undefined, ...env };
    for (const key of Object.keys(childEnv)) if (childEnv[key] === undefined) delete childEnv[key];
    return new Promise<string>((resolve, reject) =>
      execFile(file, args, { cwd: root, env: childEnv, timeout: 120_000 }, (error, stdout, stderr) =>
        error ? reject(new Error(`${error.message}\n${stderr}`)) : resolve(stdout),
      ),
    );
  };
  const onPty = (env: Record<string, string>) =>
    run('script', ['-qec', `node --import tsx ${fixture}`, '/dev/null'], { TERM: 'xterm-256color', CI: undefined, COLUMNS: '80', LINES: '24', ...env });

  it('on a terminal: the live board, in colour, and none under NO_COLOR; through a pipe: plain lines, no board', async () => {
    const sgr = /\x1b\[[0-9;]*m/;
    const coloured = await onPty({});
    expect(coloured).toContain('board: shown');
    expect(coloured).toMatch(/seed-0\/gc\/sft\s+(\x1b\[[0-9;]*m)*done/);
    expect(coloured).toMatch(sgr);
    const plain = await onPty({ NO_COLOR: '1' });
    expect(plain).toMatch(/seed-0\/gc\/rl\s+needs deps/);
    expect(plain).not.toMatch(sgr);
    const piped = await run(process.execPath, ['--import', 'tsx', fixture], {});
    expect(piped).toBe('queue: seed-0/gc/sft: active on gpu-box:4127\nboard: none (plain log)\n');
  }, 240_000);
});
