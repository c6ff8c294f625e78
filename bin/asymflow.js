#!/usr/bin/env node
// The `asymflow` command. The CLI runs in this very process, so Ctrl-C, SIGTERM and the exit code are its
// own and nothing is left running when this process ends (a child process would need every signal
// forwarded, and outlives a SIGKILL). In a checkout the TypeScript sources run through tsx's ESM hooks,
// registered here instead of `node --import tsx`; a built CLI, once the package has one, loads here first.
import { register } from 'tsx/esm/api';

async function loadCli() {
  register();
  return import('../tui/cli.ts');
}

const { main } = await loadCli();
await main(process.argv);
