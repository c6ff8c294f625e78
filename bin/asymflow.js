#!/usr/bin/env node
// The `asymflow` command. The CLI runs in this very process, so Ctrl-C, SIGTERM and the exit code are its
// own and nothing is left running when this process ends (a child process would need every signal
// forwarded, and outlives a SIGKILL). An installed package (npm, or a tarball from `npm pack`) runs its built
// JavaScript, dist/tui/cli.js; a checkout has no dist/ (postpack removes it) and runs the TypeScript sources
// through tsx's ESM hooks, registered here instead of `node --import tsx`.
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

async function loadCli() {
  const built = new URL('../dist/tui/cli.js', import.meta.url);
  if (existsSync(fileURLToPath(built))) return import(built.href);
  const { register } = await import('tsx/esm/api');
  register();
  return import('../tui/cli.ts');
}

const { main } = await loadCli();
await main(process.argv);
