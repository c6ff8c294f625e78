/**
 * Node positions for GC drawings, in a square canvas of CANVAS units (the SVG viewBox; the same drawing
 * is rasterised at any pixel size).
 *   circle  node i at a fixed angle, the same for every puzzle (slot i of `slots` around the circle), so
 *           a small model can learn which pixels belong to which node
 *   spring  seeded Fruchterman–Reingold, then a separation pass that keeps nodes apart (labels never
 *           overlap) and pushes nodes off edges they do not belong to (an edge never runs under a node)
 */
import type { Rng } from '../../rng.ts';
import type { Edge } from './graph.ts';

export const CANVAS = 448;
export const NODE_RADIUS = 30;
const BORDER = 8; // canvas edge to node outline
const LOW = BORDER + NODE_RADIUS;
const HIGH = CANVAS - BORDER - NODE_RADIUS;
/** Centre-to-centre distance below which two nodes are pushed apart (a clear gap between outlines). */
export const MIN_SEPARATION = 2 * NODE_RADIUS + 30;
/** Distance from a node centre to a non-incident edge below which the node is pushed off the edge. */
export const EDGE_CLEARANCE = NODE_RADIUS + 12;

export type Point = readonly [number, number];

/** Node i at angle -90° + 360°·i/slots, clockwise from the top. */
export function circleLayout(n: number, slots = n): Point[] {
  const s = Math.max(n, slots);
  const radius = CANVAS / 2 - BORDER - NODE_RADIUS;
  return Array.from({ length: n }, (_, i) => {
    const angle = -Math.PI / 2 + (2 * Math.PI * i) / s;
    return [CANVAS / 2 + radius * Math.cos(angle), CANVAS / 2 + radius * Math.sin(angle)] as const;
  });
}

/** Fruchterman–Reingold in the unit square from seeded random starts, 100 cooling iterations. */
function forceDirected(n: number, edges: readonly Edge[], rng: Rng): [number, number][] {
  const pos: [number, number][] = Array.from({ length: n }, () => [rng.next(), rng.next()]);
  const k = Math.sqrt(1 / n);
  const iterations = 100;
  for (let it = 0; it < iterations; it++) {
    const temperature = 0.1 * (1 - it / iterations);
    const disp = Array.from({ length: n }, () => [0, 0]);
    for (let a = 0; a < n; a++) {
      for (let b = a + 1; b < n; b++) {
        let dx = pos[a][0] - pos[b][0];
        let dy = pos[a][1] - pos[b][1];
        let d = Math.hypot(dx, dy);
        if (d < 1e-6) [dx, dy, d] = [1e-3 * (a - b), 1e-3, 1e-3 * Math.hypot(a - b, 1)];
        const f = (k * k) / (d * d); // repulsion k²/d along the unit vector
        disp[a][0] += dx * f;
        disp[a][1] += dy * f;
        disp[b][0] -= dx * f;
        disp[b][1] -= dy * f;
      }
    }
    for (const [a, b] of edges) {
      const dx = pos[a][0] - pos[b][0];
      const dy = pos[a][1] - pos[b][1];
      const f = Math.hypot(dx, dy) / k; // attraction d²/k along the unit vector
      disp[a][0] -= dx * f;
      disp[a][1] -= dy * f;
      disp[b][0] += dx * f;
      disp[b][1] += dy * f;
    }
    for (let v = 0; v < n; v++) {
      const len = Math.hypot(disp[v][0], disp[v][1]);
      if (len > 0) {
        const step = Math.min(len, temperature) / len;
        pos[v][0] += disp[v][0] * step;
        pos[v][1] += disp[v][1] * step;
      }
    }
  }
  return pos;
}

/** Stretches each axis of `pos` onto [LOW, HIGH] in place. */
function fitCanvas(pos: [number, number][]): void {
  for (const axis of [0, 1] as const) {
    const values = pos.map((p) => p[axis]);
    const lo = Math.min(...values);
    const span = Math.max(...values) - lo;
    for (const p of pos) p[axis] = span > 1e-9 ? LOW + ((p[axis] - lo) / span) * (HIGH - LOW) : CANVAS / 2;
  }
}

const clamp = (x: number) => Math.min(HIGH, Math.max(LOW, x));

/** Pushes overlapping nodes apart and nodes off foreign edges until nothing is too close (≤ 400 passes). */
function separate(pos: [number, number][], edges: readonly Edge[]): void {
  const n = pos.length;
  for (let pass = 0; pass < 400; pass++) {
    let moved = false;
    for (let a = 0; a < n; a++) {
      for (let b = a + 1; b < n; b++) {
        let dx = pos[b][0] - pos[a][0];
        let dy = pos[b][1] - pos[a][1];
        let d = Math.hypot(dx, dy);
        if (d >= MIN_SEPARATION) continue;
        if (d < 1e-6) [dx, dy, d] = [1, (a % 3) - 1, Math.hypot(1, (a % 3) - 1)];
        const push = (MIN_SEPARATION - d) / 2 + 0.5;
        pos[a][0] = clamp(pos[a][0] - (dx / d) * push);
        pos[a][1] = clamp(pos[a][1] - (dy / d) * push);
        pos[b][0] = clamp(pos[b][0] + (dx / d) * push);
        pos[b][1] = clamp(pos[b][1] + (dy / d) * push);
        moved = true;
      }
    }
    for (const [u, v] of edges) {
      for (let w = 0; w < n; w++) {
        if (w === u || w === v) continue;
        const [ux, uy] = pos[u];
        const ex = pos[v][0] - ux;
        const ey = pos[v][1] - uy;
        const t = Math.max(0, Math.min(1, ((pos[w][0] - ux) * ex + (pos[w][1] - uy) * ey) / (ex * ex + ey * ey || 1)));
        let dx = pos[w][0] - (ux + t * ex);
        let dy = pos[w][1] - (uy + t * ey);
        let d = Math.hypot(dx, dy);
        if (d >= EDGE_CLEARANCE) continue;
        if (d < 1e-6) [dx, dy, d] = [-ey, ex, Math.hypot(ex, ey) || 1];
        const push = EDGE_CLEARANCE - d + 0.5;
        // Move the node most of the way and the edge's ends a little the other way, so a node pinned
        // against the border still gets clear.
        pos[w][0] = clamp(pos[w][0] + (dx / d) * push * 0.7);
        pos[w][1] = clamp(pos[w][1] + (dy / d) * push * 0.7);
        for (const e of [u, v]) {
          pos[e][0] = clamp(pos[e][0] - (dx / d) * push * 0.3);
          pos[e][1] = clamp(pos[e][1] - (dy / d) * push * 0.3);
        }
        moved = true;
      }
    }
    if (!moved) return;
  }
}

/** Seeded force-directed layout with guaranteed-legible spacing (see the file comment). */
export function springLayout(n: number, edges: readonly Edge[], rng: Rng): Point[] {
  const pos = forceDirected(n, edges, rng);
  fitCanvas(pos);
  separate(pos, edges);
  return pos;
}
