/**
 * The latest sample: oracle p*, the model's caption with differences marked, the answer and its verdict —
 * four lines (title with the difference summary, p*, caption, answer), each cut to one terminal line.
 */
import { Box, Text } from 'ink';
import type { ReactNode } from 'react';
import { captionDiff } from './caption-diff.ts';
import { CaptionDiffText } from './caption-diff-text.tsx';
import type { LatestSample } from './dashboard-store.ts';

export interface SamplePanelProps {
  readonly sample: LatestSample | undefined;
  readonly width: number;
  readonly bordered?: boolean; // default true
}

const LABEL = 10;

export function SamplePanel({ sample, width, bordered = true }: SamplePanelProps) {
  const frame = {
    borderStyle: bordered ? ('round' as const) : undefined,
    borderColor: 'gray',
    width,
    paddingX: bordered ? 1 : 0,
    flexDirection: 'column' as const,
  };
  if (!sample) {
    return (
      <Box {...frame}>
        <Text bold>latest sample</Text>
        <Text dimColor>none yet (shown after the first evaluation)</Text>
        <Text> </Text>
        <Text> </Text>
      </Box>
    );
  }
  const diff = captionDiff(sample.caption, sample.pStar);
  const summary = diff.equal
    ? 'caption = p*'
    : diff.mode === 'grid'
      ? `${diff.missing.length} wrong cell${diff.missing.length === 1 ? '' : 's'}: ${diff.missing.slice(0, 4).join(', ')}`
      : diff.mode === 'edges'
        ? `missing: ${diff.missing.join(',') || '—'}  extra: ${diff.extra.join(',') || '—'}`
        : `differs (${diff.missing.join('').length} chars missing, ${diff.extra.join('').length} extra)`;
  const where = [sample.sampleId, sample.step === undefined ? undefined : `step ${sample.step}`].filter(Boolean).join(' · ');
  return (
    <Box {...frame}>
      <Text bold wrap="truncate-end">
        latest sample <Text dimColor>{where}</Text> <Text color={diff.equal ? 'green' : 'yellow'}>{summary}</Text>
      </Text>
      <Row label="p*">
        <Text wrap="truncate-end">{sample.pStar}</Text>
      </Row>
      <Row label="caption">
        <CaptionDiffText diff={diff} />
      </Row>
      <Row label="answer">
        <Text wrap="truncate-end">
          {sample.answer} {sample.verdict.correct ? <Text color="green">✓ correct</Text> : <Text color="red">✗ wrong</Text>}
          {!sample.verdict.correct && sample.verdict.reason ? <Text dimColor> ({sample.verdict.reason})</Text> : null}
        </Text>
      </Row>
    </Box>
  );
}

function Row({ label, children }: { readonly label: string; readonly children: ReactNode }) {
  return (
    <Box>
      <Box width={LABEL} flexShrink={0}>
        <Text dimColor>{label}</Text>
      </Box>
      <Box flexGrow={1}>{children}</Box>
    </Box>
  );
}
