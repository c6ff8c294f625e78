/**
 * Token picking on the GPU (issue 9): model/sample.ts pickToken's rule run on the logits where they are, so a
 * decode step reads back B token ids and B log-probs instead of B × V logits. One workgroup per row:
 *   log p = z − logsumexp(z)                        (untempered: the returned log-prob)
 *   greedy (temperature 0): the first index of the largest logit (the argmax of log p, same ties)
 *   else  w_i = exp(log p_i / T − max), sorted by weight (ties by index), the smallest prefix holding
 *         topP of Σw (always ≥ 1 token), and the token where u·kept runs out, u the row's uniform from
 *         the caller's seeded Rng (DecodeRow.rand), so a seed still reproduces the samples.
 * pickToken does this in float64, here it is f32: a token differs only when u·kept falls within f32
 * rounding (~1e-7 relative) of a cumulative-weight boundary (same for the top-p cut).
 */
import { DECODE_ROW, LANES, tree } from './decode-attention.ts';

/** Workgroup memory of the pick kernel for `vocab` tokens, in bytes. */
export const pickWorkgroupBytes = (vocab: number): number => 4 * (3 * vocab + LANES);

/**
 * WGSL writing picked[b] = token and picked[B + b] = bitcast log p of it, for logits [B, V] (V baked in).
 * Bindings: picked (read_write, u32), logits, rows (DecodeRow, for rand), U { rows, temperature, topP, pad }.
 */
export function pickWgsl(vocab: number): string {
  return /* wgsl */ `
${DECODE_ROW}
struct U { rows: u32, temperature: f32, topP: f32, pad: u32 }
@group(0) @binding(0) var<storage, read_write> picked: array<u32>;
@group(0) @binding(1) var<storage, read> logits: array<f32>;
@group(0) @binding(2) var<storage, read> rows: array<Row>;
@group(0) @binding(3) var<uniform> u: U;
var<workgroup> z: array<f32, ${vocab}>;
var<workgroup> w: array<f32, ${vocab}>;
var<workgroup> order: array<u32, ${vocab}>;
var<workgroup> red: array<f32, ${LANES}>;

@compute @workgroup_size(${LANES})
fn main(@builtin(local_invocation_id) lid: vec3<u32>, @builtin(workgroup_id) wid: vec3<u32>) {
  let lane = lid.x;
  let b = wid.x;
  var mx = -3.0e38;
  for (var i = lane; i < ${vocab}u; i += ${LANES}u) {
    let v = logits[b * ${vocab}u + i];
    z[i] = v;
    mx = max(mx, v);
  }
  red[lane] = mx;
${tree('red', (a, c) => `max(${a}, ${c})`)}
  let zmax = red[0];
  workgroupBarrier();
  var sum = 0.0;
  for (var i = lane; i < ${vocab}u; i += ${LANES}u) { sum = sum + exp(z[i] - zmax); }
  red[lane] = sum;
${tree('red', (a, c) => `${a} + ${c}`)}
  let lse = zmax + log(red[0]);
  workgroupBarrier();
  // Tempered weights (unused when greedy: temperature 0 would divide by zero, so use 1 there).
  let t = select(u.temperature, 1.0, u.temperature == 0.0);
  var tmax = -3.0e38;
  for (var i = lane; i < ${vocab}u; i += ${LANES}u) { tmax = max(tmax, (z[i] - lse) / t); }
  red[lane] = tmax;
${tree('red', (a, c) => `max(${a}, ${c})`)}
  let wmax = red[0];
  for (var i = lane; i < ${vocab}u; i += ${LANES}u) { w[i] = exp((z[i] - lse) / t - wmax); }
  workgroupBarrier();
  // Descending weight, ties by index: each token's rank is the count of tokens ahead of it.
  for (var i = lane; i < ${vocab}u; i += ${LANES}u) {
    var rank = 0u;
    for (var k = 0u; k < ${vocab}u; k++) {
      if (w[k] > w[i] || (w[k] == w[i] && k < i)) { rank++; }
    }
    order[rank] = i;
  }
  workgroupBarrier();
  if (lane == 0u && b < u.rows) {
    var token = 0u;
    if (u.temperature == 0.0) {
      for (var i = 1u; i < ${vocab}u; i++) { if (z[i] > z[token]) { token = i; } }
    } else {
      var total = 0.0;
      for (var i = 0u; i < ${vocab}u; i++) { total = total + w[i]; }
      var kept = 0.0;
      var count = 0u;
      loop {
        if (!(count < ${vocab}u && (count == 0u || kept < u.topP * total))) { break; }
        kept = kept + w[order[count]];
        count++;
      }
      var left = rows[b].rand * kept;
      token = order[count - 1u];
      for (var i = 0u; i < count; i++) {
        left = left - w[order[i]];
        if (left < 0.0) { token = order[i]; break; }
      }
    }
    picked[b] = token;
    picked[u.rows + b] = bitcast<u32>(z[token] - lse);
  }
}`;
}
