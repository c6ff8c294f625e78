/**
 * The house's structure, checked from the code's own imports (docs/architecture.md, "Layers"):
 *   - no import circle between files, and none between rooms (a room: a folder one level down, e.g.
 *     src/model, tui/commands, or a file lying directly in a top folder);
 *   - no arrow against the layers api → tui → flows → operators → src;
 *   - src/ imports no RxJS, ink or React (streams start at operators/, screens at tui/);
 *   - inside src, the ground floor (the files directly in src/: records, tokenizer, grammar, prompt, rng,
 *     config, clip, …) imports nothing above it;
 *   - the machine rooms sit below the network: src/webgpu (the kernel library) imports only itself and the
 *     ground floor, src/backend (the backend choice and its patches) only those and src/webgpu;
 *   - no file in src/ flows/ operators/ tui/ longer than 300 lines.
 * Type-only imports count: a type loop is a loop a reader must walk.
 */
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { circles, cyclePath, importGraph, packageImports, sourceFiles } from './support/import-graph.ts';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const LAYERS = ['src', 'operators', 'flows', 'tui', 'api'] as const; // bottom to top
const MAX_LINES = 300;
const files = sourceFiles(ROOT, LAYERS);
const graph = importGraph(ROOT, files);

const layerOf = (file: string): number => LAYERS.indexOf(file.split('/')[0] as (typeof LAYERS)[number]);
const roomOf = (file: string): string => {
  const parts = file.split('/');
  return parts.length > 2 ? `${parts[0]}/${parts[1]}` : file;
};
const onGroundFloor = (file: string): boolean => file.startsWith('src/') && file.split('/').length === 2;
/** The rooms below the network and the only rooms (besides their own and the ground floor) each may import. */
const BELOW_THE_NETWORK: Readonly<Record<string, readonly string[]>> = { 'src/webgpu': [], 'src/backend': ['src/webgpu'] };

/** Every import edge a → b for which `bad(a, b)` holds, as 'a → b' lines. */
function edgesWhere(bad: (from: string, to: string) => boolean): string[] {
  const found: string[] = [];
  for (const [from, targets] of graph) for (const to of targets) if (bad(from, to)) found.push(`${from} → ${to}`);
  return found;
}

describe('the import graph', () => {
  it('reads static, type-only and dynamic imports (a sanity check of the reader itself)', () => {
    expect(files.length).toBeGreaterThan(100);
    expect(graph.get('src/tokenizer.ts')).toContain('src/grammar.ts'); // a static import
    expect(graph.get('src/grammar.ts')).toContain('src/records.ts'); // `import type`
    expect(graph.get('src/tasks/registry.ts')).toContain('src/tasks/gc/index.ts'); // `import('./gc/index.ts')`
  });

  it('finds circles and names a closed path through each (the checker itself, on a made-up graph)', () => {
    const made = new Map([
      ['a', ['b']],
      ['b', ['c', 'd']],
      ['c', ['a']],
      ['d', []],
      ['e', ['e']],
    ]);
    expect(circles(made).map((c) => c.join(' '))).toEqual(expect.arrayContaining(['a b c', 'e']));
    expect(circles(made)).toHaveLength(2);
    expect(cyclePath(made, ['a', 'b', 'c'])).toEqual(['a', 'b', 'c', 'a']);
    expect(
      circles(
        new Map([
          ['x', ['y']],
          ['y', []],
        ]),
      ),
    ).toEqual([]);
  });

  it('has no circle between files', () => {
    const loops = circles(graph).map((component) => cyclePath(graph, component).join(' → '));
    expect(loops, `import circles:\n${loops.join('\n')}`).toEqual([]);
  });

  it('has no circle between rooms (folders one level down, and the files lying in a top folder)', () => {
    const rooms = new Map<string, string[]>();
    const witness = new Map<string, string>(); // 'roomA roomB' → one file edge that makes the room edge
    for (const [from, targets] of graph) {
      const out = rooms.get(roomOf(from)) ?? [];
      rooms.set(roomOf(from), out);
      for (const to of targets) {
        const [a, b] = [roomOf(from), roomOf(to)];
        if (a === b) continue;
        if (!out.includes(b)) out.push(b);
        if (!witness.has(`${a} ${b}`)) witness.set(`${a} ${b}`, `${from} → ${to}`);
      }
    }
    const loops = circles(rooms).map((component) => {
      const path = cyclePath(rooms, component);
      const edges = path.slice(1).map((to, i) => `    ${witness.get(`${path[i]} ${to}`)}`);
      return `${path.join(' → ')}, through:\n${edges.join('\n')}`;
    });
    expect(loops, `room circles:\n${loops.join('\n')}`).toEqual([]);
  });

  it(`has no arrow against the layers ${[...LAYERS].reverse().join(' → ')}`, () => {
    const back = edgesWhere((from, to) => layerOf(to) > layerOf(from));
    expect(back, `imports against the layers:\n${back.join('\n')}`).toEqual([]);
  });

  it('keeps the ground floor (files directly in src/) free of imports from above it', () => {
    expect(files.filter(onGroundFloor)).toEqual(expect.arrayContaining(['src/records.ts', 'src/tokenizer.ts', 'src/grammar.ts', 'src/prompt.ts']));
    const up = edgesWhere((from, to) => onGroundFloor(from) && !onGroundFloor(to));
    expect(up, `ground-floor files importing from above:\n${up.join('\n')}`).toEqual([]);
  });

  it('keeps the kernel library and the backend choice below the network (src/webgpu, src/backend import no room above them)', () => {
    expect(graph.get('src/backend/speed-patches.ts')).toContain('src/webgpu/index.ts'); // the rule has edges to judge
    const up = edgesWhere((from, to) => {
      const allowed = BELOW_THE_NETWORK[roomOf(from)];
      return allowed !== undefined && roomOf(to) !== roomOf(from) && !onGroundFloor(to) && !allowed.includes(roomOf(to));
    });
    expect(up, `machine rooms importing from above them:\n${up.join('\n')}`).toEqual([]);
  });
});

describe('packages', () => {
  it('keeps RxJS, ink and React out of src/', () => {
    const used = [
      ...packageImports(
        ROOT,
        files.filter((file) => layerOf(file) === 0),
      ),
    ].flatMap(([file, names]) => names.filter((name) => /^(rxjs|ink|react)(\/|$)/.test(name)).map((name) => `${file} → ${name}`));
    expect(used, `src/ files importing a stream or screen package:\n${used.join('\n')}`).toEqual([]);
  });
});

describe('file length', () => {
  it(`keeps every file in src/ flows/ operators/ tui/ at ${MAX_LINES} lines or fewer (but the listed long ones)`, () => {
    const long = files
      .filter((file) => layerOf(file) <= LAYERS.indexOf('tui'))
      .map((file) => ({ file, lines: readFileSync(join(ROOT, file), 'utf8').replace(/\n$/, '').split('\n').length }))
      .filter(({ lines }) => lines > MAX_LINES)
      .map(({ file, lines }) => `${file}: ${lines} lines`);
    expect(long, `files over ${MAX_LINES} lines (split them):\n${long.join('\n')}`).toEqual([]);
  });
});
