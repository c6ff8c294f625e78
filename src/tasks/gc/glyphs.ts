/**
 * Stroke outlines of the digits 0-9 in a 10×16 box (y down), as SVG path data flattened once to segments,
 * so labels need no installed font and give the same pixels on every machine.
 */
import { flattenPath } from '../../render/path.ts';
import type { Segment } from '../../render/raster.ts';

export const GLYPH_WIDTH = 10;
export const GLYPH_HEIGHT = 16;
const GAP = 3; // between the digits of a multi-digit label, in glyph units

export const DIGIT_PATHS: readonly string[] = [
  'M5,0C8,0 10,3 10,8C10,13 8,16 5,16C2,16 0,13 0,8C0,3 2,0 5,0Z',
  'M2,3.2L6,0V16M2,16H10',
  'M0.6,4C0.6,1.5 2.6,0 5,0C7.6,0 9.4,1.6 9.4,4.2C9.4,7 7,8.6 4.6,10.4C2.4,12 0.4,14 0.4,16H10',
  'M0.6,2C2,0.6 3.4,0 5,0C7.8,0 9.4,1.6 9.4,4C9.4,6.4 7.6,7.6 4.4,7.6C8,7.6 10,9.2 10,11.8C10,14.4 7.8,16 5,16C3,16 1.4,15.4 0,14',
  'M7.4,16V0L0,11.2H10',
  'M9.2,0H1.6L0.8,7.4C2,6.5 3.4,6 5,6C7.8,6 10,7.8 10,10.9C10,14 7.8,16 4.8,16C2.8,16 1.2,15.3 0,14',
  'M8.8,1C7.8,0.3 6.6,0 5.4,0C2,0 0,3.2 0,8.5C0,13.5 1.8,16 5,16C8,16 10,14 10,11C10,8 8,6.2 5.2,6.2C2.8,6.2 0.8,7.6 0,9.6',
  'M0,0H10L3.6,16',
  'M5,7.4C2.4,7.4 0.8,6 0.8,3.7C0.8,1.4 2.6,0 5,0C7.4,0 9.2,1.4 9.2,3.7C9.2,6 7.6,7.4 5,7.4C2,7.4 0,9 0,11.7C0,14.4 2.2,16 5,16C7.8,16 10,14.4 10,11.7C10,9 8,7.4 5,7.4Z',
  'M1.2,15C2.2,15.7 3.4,16 4.6,16C8,16 10,12.8 10,7.5C10,2.5 8.2,0 5,0C2,0 0,2 0,5C0,8 2,9.8 4.8,9.8C7.2,9.8 9.2,8.4 10,6.4',
];

const DIGIT_SEGMENTS: readonly (readonly Segment[])[] = DIGIT_PATHS.map((d) => flattenPath(d));

/**
 * Segments drawing `label` (digits only) centred at (cx, cy) with digit height `height`, in the units of
 * cx, cy and height.
 */
export function labelSegments(label: string, cx: number, cy: number, height: number): Segment[] {
  const scale = height / GLYPH_HEIGHT;
  const width = (label.length * GLYPH_WIDTH + (label.length - 1) * GAP) * scale;
  const out: Segment[] = [];
  for (let i = 0; i < label.length; i++) {
    const glyph = DIGIT_SEGMENTS[label.charCodeAt(i) - 48];
    if (glyph === undefined) throw new Error(`gc: label '${label}' has a non-digit character`);
    const x = cx - width / 2 + i * (GLYPH_WIDTH + GAP) * scale;
    const y = cy - height / 2;
    for (const [ax, ay, bx, by] of glyph) out.push([x + ax * scale, y + ay * scale, x + bx * scale, y + by * scale]);
  }
  return out;
}
