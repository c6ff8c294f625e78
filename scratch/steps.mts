import { readRecording } from '../src/recording/index.ts';
const rec = await readRecording<any>(process.argv[2]);
for await (const r of rec) console.log(r.step, r.stage, Math.round(r.wallMs), r.tokens, r.samples);
