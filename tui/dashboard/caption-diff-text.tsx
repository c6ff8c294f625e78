/** The caption with its differences from p* coloured (extra items red, wrong cells red, missing yellow), on one line. */
import { Text } from 'ink';
import type { CaptionDiff } from './caption-diff.ts';

const STYLE = {
  same: {},
  extra: { color: 'red', underline: true },
  wrong: { color: 'red', underline: true },
  missing: { color: 'yellow', strikethrough: true },
} as const;

export function CaptionDiffText({ diff }: { readonly diff: CaptionDiff }) {
  return (
    <Text wrap="truncate-end">
      {diff.parts.map((part, i) => (
        <Text key={i} {...STYLE[part.kind]}>
          {part.text}
        </Text>
      ))}
    </Text>
  );
}
