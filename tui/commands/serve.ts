/**
 * `asymflow serve --checkpoint DIR [--port 8000] [--host 127.0.0.1]`: our model behind the OpenAI-compatible
 * API (GET /v1/models, POST /v1/chat/completions; src/serve/server.ts), so any OpenAI client — and
 * `asymflow eval --policy openai` — can evaluate it (flows/serve.ts). Runs until SIGINT/SIGTERM.
 */
import type { Command } from 'commander';
import { resolveServeConfig, SERVE_OPTIONS } from '../../src/serve/serve-config.ts';
import type { RunningServer } from '../../src/serve/server.ts';
import { addOptionFlags } from './option-flags.ts';

/** Starts the server (flows/serve.ts) from command-line style flags; the caller closes it (the command does so on a signal). */
export async function serveCommand(
  flags: Readonly<Record<string, unknown>>,
  log: (line: string) => void = (l) => process.stderr.write(`${l}\n`),
): Promise<RunningServer> {
  const config = resolveServeConfig(flags);
  const { runServe } = await import('../../flows/serve.ts'); // loaded on use: `serve --help` loads no tfjs
  return runServe(config, log);
}

export function registerServe(program: Command): void {
  const command = program.command('serve').description('serve a checkpoint behind the OpenAI-compatible chat completions API');
  addOptionFlags(command, SERVE_OPTIONS, { required: ['checkpoint'] }).action(async (flags: Record<string, unknown>) => {
    const server = await serveCommand(flags);
    await new Promise<void>((resolve) => {
      const stop = () => resolve();
      process.once('SIGINT', stop);
      process.once('SIGTERM', stop);
    });
    await server.close();
  });
}
