/**
 * `asymflow serve --checkpoint DIR [--port 8000] [--host 127.0.0.1]`: our model behind the OpenAI-compatible
 * API (GET /v1/models, POST /v1/chat/completions; src/serve/server.ts), so any OpenAI client — and
 * `asymflow eval --policy openai` — can evaluate it (flows/serve.ts). Runs until SIGINT/SIGTERM.
 */
import type { Command } from 'commander';
import type { Seeding } from '../../src/policy/tfjs-policy.ts';
import type { RunningServer } from '../../src/serve/server.ts';
import type { ServeConfig } from '../../flows/serve.ts';

export interface ServeFlags {
  readonly checkpoint: string;
  readonly port?: string | number;
  readonly host?: string;
  readonly name?: string;
  readonly maxBatch?: string | number;
  readonly batchWindowMs?: string | number;
  readonly backend?: string;
  readonly seeding?: string;
}

function intFlag(name: string, raw: string | number | undefined, fallback: number, min: number): number {
  if (raw === undefined) return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < min) throw new Error(`serve: --${name} must be an integer >= ${min}, got '${raw}'`);
  return value;
}

/** Flags → the flow's config, each number and the seeding mode checked. */
export async function resolveServeFlags(flags: ServeFlags): Promise<ServeConfig> {
  const port = intFlag('port', flags.port, 8000, 0);
  if (port > 65535) throw new Error(`serve: --port must be at most 65535, got ${port}`);
  const { SEEDINGS } = await import('../../src/policy/tfjs-policy.ts'); // loaded on use: `serve --help` loads no tfjs
  const seeding = (flags.seeding ?? 'per-sample') as Seeding;
  if (!SEEDINGS.includes(seeding)) throw new Error(`serve: --seeding must be one of ${SEEDINGS.join(', ')}, got '${flags.seeding}'`);
  return {
    checkpoint: flags.checkpoint,
    host: flags.host ?? '127.0.0.1',
    port,
    name: flags.name,
    maxBatch: intFlag('max-batch', flags.maxBatch, 16, 1),
    batchWindowMs: intFlag('batch-window-ms', flags.batchWindowMs, 5, 0),
    backend: flags.backend,
    seeding,
  };
}

/** Starts the server (flows/serve.ts); the caller closes it (the command does so on a signal). */
export async function serveCommand(flags: ServeFlags, log: (line: string) => void = (l) => process.stderr.write(`${l}\n`)): Promise<RunningServer> {
  const config = await resolveServeFlags(flags);
  const { runServe } = await import('../../flows/serve.ts');
  return runServe(config, log);
}

export function registerServe(program: Command): void {
  program
    .command('serve')
    .description('serve a checkpoint behind the OpenAI-compatible chat completions API')
    .requiredOption('--checkpoint <dir>', 'a checkpoint or a run directory')
    .option('--port <port>', 'TCP port (0 = any free one)', '8000')
    .option('--host <host>', 'interface to listen on', '127.0.0.1')
    .option('--name <model>', 'the model id clients ask for (default: the run directory name)')
    .option('--max-batch <b>', 'rows per sampling call', '16')
    .option('--batch-window-ms <ms>', 'how long to collect concurrent requests into one call', '5')
    .option('--backend <name>', 'tensorflow, webgpu, wasm or cpu (default: ASYMFLOW_BACKEND or auto)')
    .option(
      '--seeding <mode>',
      'temperature > 0: per-sample (default: a request samples the same from its seed whatever shares its batch, as vLLM) or per-batch (the batch draws from one stream)',
    )
    .action(async (flags: ServeFlags) => {
      const server = await serveCommand(flags);
      await new Promise<void>((resolve) => {
        const stop = () => resolve();
        process.once('SIGINT', stop);
        process.once('SIGTERM', stop);
      });
      await server.close();
    });
}
