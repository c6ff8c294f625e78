/**
 * Composing the SFT flow in code: an NGDiff run with a custom metric subscriber. The subscriber watches the
 * run's shared metric stream (the same one the dashboard and metrics.msgpack see) and
 *   - prints a line at the first step and whenever NGDiff's λ moves by more than 0.05 since, with the two raw
 *     gradient norms it balances (λ = ‖g_r‖ / (‖g_p‖ + ‖g_r‖)),
 *   - keeps the running mean of the perception token fraction (the paper's token imbalance) and prints it
 *     at the end next to the mean λ NGDiff chose: how much more weight perception got than its share of tokens,
 *   - asks the run to stop early once held-out perception accuracy a_p reaches `--target`.
 *
 *   npx tsx examples/sft-ngdiff.ts [out=runs/example-ngdiff] [steps=60] [target=0.9]
 */
import { filter, Observable } from 'rxjs';
import { MetricNames as N, resolveSftConfig, runSft, type Metric, type RunWatch } from 'asymflow';

const [out = 'runs/example-ngdiff', steps = '60', target = '0.9'] = process.argv.slice(2);

/** One record per step with the values of `names` that step emitted (a step's metrics arrive together). */
function byStep(metrics$: Observable<Metric>, names: readonly string[]): Observable<{ step: number; values: Record<string, number> }> {
  return new Observable((subscriber) => {
    let step: number | undefined;
    let values: Record<string, number> = {};
    const flush = () => step !== undefined && subscriber.next({ step, values });
    return metrics$.pipe(filter((m) => names.includes(m.name))).subscribe({
      next: (m) => {
        if (step !== undefined && m.step !== step) (flush(), (values = {}));
        step = m.step;
        values[m.name] = m.value;
      },
      complete: () => (flush(), subscriber.complete()),
      error: (e: unknown) => subscriber.error(e),
    });
  });
}

function watchNgdiff(w: RunWatch): Promise<void> {
  let lastLambda = Number.NaN;
  let n = 0;
  let lambdaSum = 0;
  let fractionSum = 0;
  w.metrics$.pipe(filter((m) => m.name === N.ap && m.value >= Number(target))).subscribe((m) => {
    console.log(`a_p ${m.value.toFixed(2)} ≥ ${target} at step ${m.step}: stopping`);
    w.requestStop();
  });
  return new Promise((done) =>
    byStep(w.metrics$, [N.lambda, N.perceptionTokenFraction, N.gradNormRawP, N.gradNormRawR]).subscribe({
      next: ({ step, values: v }) => {
        n++;
        lambdaSum += v[N.lambda];
        fractionSum += v[N.perceptionTokenFraction];
        if (Math.abs(v[N.lambda] - lastLambda) <= 0.05) return; // the first step always prints (NaN)
        lastLambda = v[N.lambda];
        console.log(`step ${step}: λ ${lastLambda.toFixed(3)} (‖∇Lp/|p|‖ ${v[N.gradNormRawP].toFixed(3)}, ‖∇Lr/|r|‖ ${v[N.gradNormRawR].toFixed(3)})`);
      },
      complete: () => {
        if (n > 0) {
          const [lambda, fraction] = [lambdaSum / n, fractionSum / n];
          console.log(
            `mean λ ${lambda.toFixed(3)} vs perception token fraction ${fraction.toFixed(3)}: perception weighted ${(lambda / fraction).toFixed(1)}× its token share`,
          );
        }
        done();
      },
    }),
  );
}

const config = resolveSftConfig({
  task: 'gc',
  objective: 'ngdiff',
  model: 'tiny',
  steps,
  evalEvery: 20,
  evalN: 16,
  trainN: 256,
  bucket: 16,
  checkpointEvery: 0,
  out,
});
const { summary } = await runSft({
  config,
  taskOptions: { layout: 'circle', minNodes: 3, maxNodes: 4, verbosity: 1 },
  log: (line) => console.log(line),
  watch: watchNgdiff,
});
console.log(
  JSON.stringify({ a: summary?.a.value, ap: summary?.ap.value, ar: summary?.ar.value, arCond: summary?.arCond.value, weightsSha256: summary?.weightsSha256 }),
);
