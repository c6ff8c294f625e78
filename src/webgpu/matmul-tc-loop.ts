/**
 * The K loop of the tensor-core matmul (matmul-tc.ts): each operand's loads from storage into registers, their
 * f16 stores into workgroup memory, and the loop around the fragment loads and MMAs in one of two forms. Both
 * issue the next K step's loads from storage before the current step's MMAs, so memory latency hides behind
 * them. With one buffer per operand (the default) a step has two barriers — before the stores (the MMAs of the
 * last step are done reading) and after them — and the stores, with their f32 → f16 conversions, wait for the
 * slowest subgroup's MMAs. With two buffers per operand (`doubleBuffer`, ASYMFLOW_TC_TILE's `,double`) the
 * fragments read one while the stores fill the other, after the same subgroup's MMAs and without waiting for
 * the others: one barrier a step, for twice the tiles' workgroup memory.
 */

export const range = (n: number): number[] => Array.from({ length: n }, (_, i) => i);

/**
 * One operand's loads from storage: value (or, vectorised, 4 values along the contiguous dimension) number
 * lid + e·threads of the tile, its tile coordinates (`outer`, `inner`: the stored layout's row and column),
 * the bounds, and where it goes in workgroup memory (`store(offset)`: from that buffer's start, '' for the
 * first). `w` is 4 when the contiguous dimension is a multiple of 4 (then a vec4 lies wholly inside or outside
 * the bounds), else 1.
 */
export function operandLoads(
  name: 'a' | 'b',
  count: number,
  threads: number,
  w: number,
  cols: number,
  stride: number,
  coord: { outer: string; inner: string; outerLimit: string; innerLimit: string; index: (outer: string, inner: string) => string },
) {
  const n = count / w;
  const r = `r${name}`;
  const zero = w === 4 ? 'vec4<f32>(0.0)' : '0.0';
  const coords = range(n).map(
    (e) => `  let ${coord.outer}${e} = (lid.x + ${e * threads}u) / ${cols / w}u; let ${coord.inner}${e} = ((lid.x + ${e * threads}u) % ${cols / w}u) * ${w}u;`,
  );
  const declare = range(n)
    .map((e) => `var ${r}${e} = ${zero};`)
    .join(' ');
  const load = (k: string) =>
    range(n)
      .map((e) => {
        const at = coord.index(`${coord.outer}${e}`, `${coord.inner}${e}`).replaceAll('K0', k);
        const index = w === 4 ? `(${at}) / 4u` : at;
        return `    ${r}${e} = ${zero}; if (${coord.outerLimit.replaceAll('#', String(e)).replaceAll('K0', k)} && ${coord.innerLimit.replaceAll('#', String(e)).replaceAll('K0', k)}) { ${r}${e} = ${name}${w === 4 ? '4' : ''}[${index}]; }`;
      })
      .join('\n');
  const shared = name === 'a' ? 'As' : 'Bs';
  const store = (offset: string) =>
    range(n)
      .map((e) =>
        range(w)
          .map(
            (j) =>
              `    ${shared}[${offset ? `${offset} + ` : ''}${coord.outer}${e} * ${stride}u + ${coord.inner}${e}${j ? ` + ${j}u` : ''}] = f16(${r}${e}${w === 4 ? `[${j}]` : ''});`,
          )
          .join('\n'),
      )
      .join('\n');
  return { coords, declare, load, store, n };
}

/** What the loop is made of: loads of the step at `k`, stores and fragment loads + MMAs at buffer offsets. */
export interface KLoopParts {
  readonly load: (k: string) => string;
  readonly store: (offsetA: string, offsetB: string) => string;
  /** Adds the B values just loaded to the column sums ('' without them). */
  readonly sums: string;
  readonly mma: (offsetA: string, offsetB: string) => string;
  readonly bk: number;
  readonly size: number;
  /** f16 elements of one A / B buffer (the offset of the second one). */
  readonly sizeA: number;
  readonly sizeB: number;
}

/** The K loop over [kBegin, kEnd), single- or double-buffered; barriers in uniform control flow only. */
export function kLoop(p: KLoopParts, doubleBuffer: boolean): string {
  const steps = `    for (var kk = 0u; kk < ${p.bk}u; kk += ${p.size}u) {`;
  if (!doubleBuffer)
    return `${p.load('kBegin')}
  for (var k0 = kBegin; k0 < kEnd; k0 += ${p.bk}u) {
    workgroupBarrier();
${p.store('', '')}
${p.sums}
    workgroupBarrier();
${p.load(`k0 + ${p.bk}u`)}
${steps}
${p.mma('', '')}
    }
  }`;
  // rdA / rdB: the buffers this step's fragments read; the step's stores go to the others, which the fragments
  // of the step before finished reading before its barrier.
  return `${p.load('kBegin')}
${p.store('', '')}
${p.sums}
  workgroupBarrier();
  var rdA = 0u; var rdB = 0u;
  for (var k0 = kBegin; k0 < kEnd; k0 += ${p.bk}u) {
${p.load(`k0 + ${p.bk}u`)}
${steps}
${p.mma('rdA', 'rdB')}
    }
    rdA = ${p.sizeA}u - rdA; rdB = ${p.sizeB}u - rdB;
${p.store('rdA', 'rdB')}
${p.sums}
    workgroupBarrier();
  }`;
}
