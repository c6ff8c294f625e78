import { estimatePartSeconds, PRESETS } from '../src/reproduce/presets.ts';
let t = 0;
for (const task of ['gc', 'sudoku'] as const) { const e = estimatePartSeconds(PRESETS.full, task); console.log(task, JSON.stringify(Object.fromEntries(Object.entries(e).map(([k, v]) => [k, Math.round(v)])))); t += Object.values(e).reduce((a, b) => a + b); }
console.log('total', Math.round(t));
