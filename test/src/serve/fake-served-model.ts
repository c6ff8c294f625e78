/** A ServedModel for server tests: answers from the row's inputs so tests can see what reached the model. */
import type { Completion } from '../../../src/policy/policy.ts';
import type { ServedModel, ServeRow, ServeSampling } from '../../../src/policy/served-model.ts';

export class EchoModel implements ServedModel {
  readonly name = 'echo';
  readonly inputSize = 8;
  readonly maxTokens = 64;
  readonly imageTokens = 4;
  readonly calls: { rows: ServeRow[]; sampling: ServeSampling }[] = [];

  async generateRows(rows: readonly ServeRow[], sampling: ServeSampling): Promise<Completion[][]> {
    this.calls.push({ rows: [...rows], sampling });
    return rows.map((row) => {
      const mean = row.pixels.reduce((s, v) => s + v, 0) / row.pixels.length;
      return Array.from({ length: sampling.n }, (_, k) => ({
        text: `q=${row.query};p=${row.prefix ?? '-'};s=${row.seed};k=${k};m=${mean.toFixed(3)}<answer>x</answer>tail`,
      }));
    });
  }
}
