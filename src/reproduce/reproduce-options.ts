/**
 * `asymflow reproduce` configuration (docs/architecture.md §10): one option table (src/options.ts) from which the
 * command's type, defaults and flags derive; what each part trains is the preset's (presets.ts), and where the
 * parts run (`--parallel`, `--queue`) is the sweeps' shared executor flags (tui/commands/executor-flags.ts).
 * Light on purpose: `reproduce --help` loads no tfjs.
 */
import { checks } from '../config.ts';
import { option, resolveOptions, type ConfigOf } from '../options.ts';

/** Every `asymflow reproduce` flag but the executor's, once: default, help, flag and check. */
export const REPRODUCE_OPTIONS = {
  preset: option(
    'smoke',
    "smoke (CPU, minutes, numbers are noise), full (small model, one H100 hour) or paper (the paper's regime: ≤ 5% perception tokens, its grids, 512 test puzzles; H200 parts of ≤ 10 min, see --list)",
    { value: 'name' },
  ),
  tasks: option('gc,sudoku', 'gc and/or sudoku', { value: 'list' }),
  backend: option('auto', 'auto, tensorflow, webgpu, wasm or cpu', { value: 'name' }),
  out: option('', 'the reproduce directory (runs, report.md, plots/)', { value: 'dir', shownDefault: '' }),
  resume: option(false, 'skip finished parts and continue the interrupted one from its checkpoints', { check: checks.boolean }),
  seeds: option('', "training seeds, e.g. 0,1,2: each seed's parts in DIR/seed-S/, the report pools them (default: the preset's seed, in DIR)", {
    value: 'list',
    shownDefault: '',
  }),
  only: option('', 'run only these parts, e.g. gc/sft,gc/lambda (see --list)', { value: 'parts', shownDefault: '' }),
  list: option(false, 'print the part names and exit', { check: checks.boolean }),
};

export type ReproduceOptions = ConfigOf<typeof REPRODUCE_OPTIONS>;

/** The flags read and checked (presets, tasks, seeds and parts are checked where they are parsed: flows/reproduce.ts). */
export function resolveReproduceOptions(flags: Readonly<Record<string, unknown>>): ReproduceOptions {
  return resolveOptions('reproduce', REPRODUCE_OPTIONS, flags);
}
