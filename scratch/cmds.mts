import { buildProgram } from '../tui/cli.ts';
const p = buildProgram();
console.log(p.commands.map((c) => c.name()), p.commands.find((c) => c.name() === 'sweep')?.commands.map((c) => c.name()));
