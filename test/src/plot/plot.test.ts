import { mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { curveCharts, curveGroupOf, downsample } from '../../../src/plot/curve-specs.ts';
import { renderPng, specToSvg } from '../../../src/plot/render-png.ts';
import { parseSweepRows, tradeoffSpec } from '../../../src/plot/tradeoff-spec.ts';
import { RecordingWriter } from '../../../src/recording/index.ts';
import type { Metric } from '../../../src/records.ts';
import { plotRunDir } from '../../../tui/commands/plot.ts';

const metrics: Metric[] = Array.from({ length: 30 }, (_, step) => [
  { run: 'r', step, name: 'eval/a', value: step / 30, time: 0 },
  { run: 'r', step, name: 'eval/ap', value: Math.sqrt(step / 30), time: 0 },
  { run: 'r', step, name: 'train/lossP', value: 3 / (step + 1), time: 0 },
  { run: 'r', step, name: 'train/lambda', value: 0.3, time: 0 },
  { run: 'r', step, name: 'diag/perceptionTokenFraction', value: 0.02, time: 0 },
]).flat();

/** Fraction of pixels that are not (near) white: a blank chart is ~0. */
async function inkFraction(png: Buffer): Promise<number> {
  const { data, info } = await sharp(png).greyscale().raw().toBuffer({ resolveWithObject: true });
  let dark = 0;
  for (let i = 0; i < data.length; i += info.channels) if (data[i] < 200) dark++;
  return dark / (info.width * info.height);
}

describe('curve charts', () => {
  it('groups metrics into charts by kind, in a fixed order, with readable series labels', () => {
    const charts = curveCharts(metrics);
    expect(charts.map((c) => c.id)).toEqual(['accuracies', 'losses', 'lambda', 'other-diag']);
    const accuracy = charts[0].spec as unknown as { data: { values: { series: string }[] } };
    expect(new Set(accuracy.data.values.map((v) => v.series))).toEqual(new Set(['a', 'a_p']));
    expect(curveGroupOf('reward/self/mean').id).toBe('rewards');
    expect(curveGroupOf('train/gradShareP').id).toBe('grad-shares');
    expect(curveGroupOf('throughput/tokensPerSec').id).toBe('throughput-tokensPerSec'); // own scale each
  });

  it('downsamples long series but keeps the last point', () => {
    const kept = downsample(
      Array.from({ length: 10_001 }, (_, i) => i),
      1000,
    );
    expect(kept.length).toBeLessThanOrEqual(1001);
    expect(kept[kept.length - 1]).toBe(10_000);
  });

  it('renders a PNG of the stated size with visible text and lines', async () => {
    const png = await renderPng(curveCharts(metrics)[0].spec, { width: 400, height: 240, scale: 1 });
    const meta = await sharp(png).metadata();
    expect(meta.format).toBe('png');
    expect([meta.width, meta.height]).toEqual([400, 240]);
    expect(await inkFraction(png)).toBeGreaterThan(0.01);
    const svg = await specToSvg(curveCharts(metrics)[0].spec);
    expect(svg).toContain('>Accuracies<'); // the title is real SVG text (librsvg draws it with system fonts)
  });
});

describe('trade-off plot', () => {
  it('validates sweep rows with messages naming file and row', () => {
    expect(parseSweepRows({ rows: [{ setting: 'λ=0.2', a: 0.3, ap: 0.5, ar: 0.7 }] }, 'x.json')).toHaveLength(1);
    expect(() => parseSweepRows({ rows: [{ setting: 's', a: 0.3, ap: 0.5 }] }, 'sweep.json')).toThrow('sweep.json: row 0 ("s") has no finite number "ar"');
    expect(() => parseSweepRows({}, 'sweep.json')).toThrow('sweep.json: expected an array of rows');
  });

  it('labels every point with its setting', async () => {
    const svg = await specToSvg(
      tradeoffSpec([
        { setting: 'ngdiff', a: 0.4, ap: 0.7, ar: 0.7 },
        { setting: 'standard', a: 0.3, ap: 0.4, ar: 0.8 },
      ]),
    );
    expect(svg).toContain('>ngdiff<');
    expect(svg).toContain('>standard<');
  });
});

describe('asymflow plot DIR', () => {
  it('writes curve PNGs from a recorded metrics.msgpack and the trade-off from sweep.json', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'asymflow-plot-'));
    const writer = RecordingWriter.open(join(dir, 'metrics.msgpack'), { kind: 'metrics', commit: null });
    for (const m of metrics) writer.write(m);
    writer.close();
    writeFileSync(
      join(dir, 'sweep.json'),
      JSON.stringify([
        { setting: 'a', a: 0.1, ap: 0.2, ar: 0.3 },
        { setting: 'b', a: 0.2, ap: 0.3, ar: 0.2 },
      ]),
    );
    const written = await plotRunDir(dir, { scale: 0.5 });
    expect(readdirSync(join(dir, 'plots')).sort()).toEqual(['accuracies.png', 'lambda.png', 'losses.png', 'other-diag.png', 'tradeoff.png']);
    expect(written).toHaveLength(5);
    const meta = await sharp(join(dir, 'plots', 'tradeoff.png')).metadata();
    expect([meta.width, meta.height]).toEqual([320, 240]); // 640×480 at scale 0.5
  });

  it('says what is missing when DIR is neither a run nor a sweep', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'asymflow-plot-'));
    await expect(plotRunDir(dir)).rejects.toThrow(`plot: ${dir} has neither metrics.msgpack (a run) nor sweep.json (a sweep)`);
  });
});
