/**
 * `asymflow plot` configuration (docs/architecture.md §8): one option table (src/options.ts) from which the config
 * type, defaults, checks and flags derive.
 */
import { option, resolveOptions, type ConfigOf } from '../options.ts';

/** Every `asymflow plot` setting once: default, check, help and flag (src/options.ts). */
export const PLOT_OPTIONS = {
  out: option('', 'where to write the PNGs (default: DIR/plots)', { value: 'dir' }),
  scale: option(2, 'pixels per chart unit (2 = crisp on high-DPI screens)', {
    value: 'n',
    check: (v) => (typeof v === 'number' && v > 0 && v <= 8 ? undefined : 'must be a number in (0, 8]'),
  }),
};

export type PlotConfig = ConfigOf<typeof PLOT_OPTIONS>;

export const resolvePlotConfig = (flags: Readonly<Record<string, unknown>>): PlotConfig => resolveOptions('plot', PLOT_OPTIONS, flags);
