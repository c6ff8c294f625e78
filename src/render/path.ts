/**
 * SVG path data (absolute M, L, H, V, C, Z: what the stroke glyphs use) flattened to line segments, so the
 * rasteriser can stroke them; cubic Béziers are cut into `curveSteps` equal-parameter pieces.
 */
import type { Segment } from './raster.ts';

const COMMAND_ARGS: Readonly<Record<string, number>> = { M: 2, L: 2, H: 1, V: 1, C: 6, Z: 0 };

/** The path's segments in its own units. Throws on commands outside M L H V C Z or on missing numbers. */
export function flattenPath(d: string, curveSteps = 8): Segment[] {
  const tokens = d.match(/[A-Za-z]|-?\d*\.?\d+(?:e-?\d+)?/g) ?? [];
  const segments: Segment[] = [];
  let x = 0;
  let y = 0;
  let startX = 0;
  let startY = 0;
  let command = '';
  let i = 0;
  const number = () => {
    const t = tokens[i++];
    const v = Number(t);
    if (t === undefined || !Number.isFinite(v)) throw new Error(`path '${d}': expected a number after ${command}, got ${t ?? 'the end'}`);
    return v;
  };
  const lineTo = (nx: number, ny: number) => {
    segments.push([x, y, nx, ny]);
    [x, y] = [nx, ny];
  };
  while (i < tokens.length) {
    if (/[A-Za-z]/.test(tokens[i])) command = tokens[i++];
    else if (command === 'M')
      command = 'L'; // extra pairs after M are line-tos
    else if (command === 'Z' || command === '') throw new Error(`path '${d}': number ${tokens[i]} without a command`);
    if (!(command in COMMAND_ARGS)) throw new Error(`path '${d}': unsupported command '${command || tokens[i]}' (only absolute M L H V C Z)`);
    switch (command) {
      case 'M':
        [x, y] = [number(), number()];
        [startX, startY] = [x, y];
        break;
      case 'L':
        lineTo(number(), number());
        break;
      case 'H':
        lineTo(number(), y);
        break;
      case 'V':
        lineTo(x, number());
        break;
      case 'C': {
        const [ax, ay, bx, by, ex, ey] = [number(), number(), number(), number(), number(), number()];
        const [sx, sy] = [x, y];
        for (let k = 1; k <= curveSteps; k++) {
          const t = k / curveSteps;
          const u = 1 - t;
          const [w0, w1, w2, w3] = [u * u * u, 3 * u * u * t, 3 * u * t * t, t * t * t];
          lineTo(w0 * sx + w1 * ax + w2 * bx + w3 * ex, w0 * sy + w1 * ay + w2 * by + w3 * ey);
        }
        break;
      }
      case 'Z':
        if (x !== startX || y !== startY) lineTo(startX, startY);
        break;
    }
  }
  return segments;
}
