/**
 * Vega-Lite spec → PNG: compile to Vega, run a headless View (renderer 'none'), export SVG, rasterise with
 * sharp (librsvg, which draws the SVG text with the system fonts through fontconfig).
 */
import sharp from 'sharp';
import { compile, type TopLevelSpec } from 'vega-lite';
import { parse, View } from 'vega';

export interface PngSize {
  readonly width: number; // CSS pixels of the whole chart, axes and legend included
  readonly height: number;
  readonly scale?: number; // device pixels per CSS pixel (default 2, for crisp text); PNG is width·scale × height·scale
}

/** A font every plot uses; DejaVu Sans is on most Linux images and librsvg falls back sensibly elsewhere. */
export const PLOT_FONT = 'DejaVu Sans, Helvetica, Arial, sans-serif';

/** Sets the whole-chart size (autosize fit, padding included) so the PNG is exactly the stated size. */
export function sized(spec: TopLevelSpec, size: PngSize): TopLevelSpec {
  return {
    ...spec,
    width: size.width,
    height: size.height,
    autosize: { type: 'fit', contains: 'padding' },
    background: 'white',
    padding: 12,
    config: {
      font: PLOT_FONT,
      axis: { labelFontSize: 12, titleFontSize: 13, gridColor: '#e6e6e6' },
      legend: { labelFontSize: 12, titleFontSize: 12, labelLimit: 260 },
      title: { fontSize: 15, anchor: 'start' },
      ...(spec.config ?? {}),
    },
  } as TopLevelSpec;
}

export async function specToSvg(spec: TopLevelSpec): Promise<string> {
  const view = new View(parse(compile(spec).spec), { renderer: 'none' });
  try {
    return await view.toSVG();
  } finally {
    view.finalize();
  }
}

export async function renderPng(spec: TopLevelSpec, size: PngSize): Promise<Buffer> {
  const scale = size.scale ?? 2;
  if (!(scale > 0)) throw new Error(`renderPng: scale must be > 0, got ${scale}`);
  const svg = await specToSvg(sized(spec, size));
  const png = await sharp(Buffer.from(svg), { density: 72 * scale })
    .png()
    .toBuffer();
  // vega rounds the fitted size; pin the exact stated size so callers can rely on it
  const meta = await sharp(png).metadata();
  const want = { width: Math.round(size.width * scale), height: Math.round(size.height * scale) };
  if (meta.width === want.width && meta.height === want.height) return png;
  return sharp(png).resize(want.width, want.height, { fit: 'contain', background: 'white' }).png().toBuffer();
}
