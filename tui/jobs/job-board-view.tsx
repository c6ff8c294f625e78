/**
 * The coordinator's live view of its jobs (`sweep`/`reproduce` with `--queue` or `--parallel`): log lines
 * scroll above (ink `<Static>`), and below them a panel redrawn at most once per `frameMs` lists every job
 * (tui/jobs/job-board-lines.ts) — state, step, ETA, last accuracies, worker — coloured by state.
 */
import { Box, Static, Text, useStdout } from 'ink';
import { useEffect, useMemo, useState } from 'react';
import { auditTime, type Observable } from 'rxjs';
import type { JobRow } from '../../src/queue/job-board.ts';
import { useObservable } from '../dashboard/use-observable.ts';
import { boardLines } from './job-board-lines.ts';

export interface JobBoardProps {
  readonly title: string; // e.g. "reproduce on redis://…"
  readonly board$: Observable<readonly JobRow[]>;
  readonly log$?: Observable<string>;
  readonly frameMs?: number; // default 200
}

const COLOURS: Readonly<Record<string, string>> = { active: 'cyan', completed: 'green', failed: 'red', delayed: 'yellow' };

export function JobBoardView({ title, board$, log$, frameMs = 200 }: JobBoardProps) {
  const framed$ = useMemo(() => board$.pipe(auditTime(frameMs)), [board$, frameMs]);
  const rows = useObservable<readonly JobRow[]>(framed$, []);
  const [logged, setLogged] = useState<{ id: number; text: string }[]>([]);
  useEffect(() => {
    let id = 0;
    const subscription = log$?.subscribe((text) => setLogged((lines) => [...lines, { id: id++, text }]));
    return () => subscription?.unsubscribe();
  }, [log$]);
  const { stdout } = useStdout();
  const board = boardLines(rows, stdout.columns || 80, stdout.rows || 24);
  return (
    <>
      <Static items={logged}>{(line) => <Text key={line.id}>{line.text}</Text>}</Static>
      <Box flexDirection="column">
        <Text wrap="truncate-end">
          <Text bold color="magenta">
            asymflow
          </Text>{' '}
          <Text bold>{title}</Text>
          <Text dimColor> · {board.counts}</Text>
        </Text>
        <Text dimColor wrap="truncate-end">
          {board.columns}
        </Text>
        {board.lines.map((l) => (
          <Text key={l.id} color={COLOURS[l.state]} dimColor={l.state.startsWith('waiting')} wrap="truncate-end">
            {l.text}
          </Text>
        ))}
        {board.more ? <Text dimColor>{board.more}</Text> : null}
      </Box>
    </>
  );
}
