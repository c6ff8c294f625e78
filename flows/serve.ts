/**
 * Flow: a checkpoint behind the OpenAI-compatible API — `asymflow serve`.
 *
 *   backend ─ load the checkpoint as a policy (batched sampling, per-sample or per-batch seeding)
 *     ─ HTTP server (GET /v1/models, POST /v1/chat/completions; src/serve/server.ts) ─ … ─ close: server, policy
 *
 * Runs until the caller closes what it returns (the command does so on SIGINT/SIGTERM).
 */
import type { ServeConfig } from '../src/serve/serve-config.ts';
import type { RunningServer } from '../src/serve/server.ts';

export type { ServeConfig };

/** Loads the checkpoint and starts the server; closing the result stops the server, then frees the model. */
export async function runServe(config: ServeConfig, log: (line: string) => void): Promise<RunningServer> {
  // Loaded on use, so `serve --help` loads no tfjs or sharp.
  const [{ resolveBackend }, { loadTfjsPolicy }, { startServer }] = await Promise.all([
    import('../src/backend/index.ts'),
    import('../src/policy/tfjs-policy.ts'),
    import('../src/serve/server.ts'),
  ]);
  await resolveBackend(config.backend || undefined, { log }); // '': ASYMFLOW_BACKEND or auto
  const policy = await loadTfjsPolicy(config.checkpoint, { name: config.name || undefined, maxBatch: config.maxBatch, seeding: config.seeding });
  let server: RunningServer;
  try {
    server = await startServer({ model: policy, host: config.host, port: config.port, maxBatch: config.maxBatch, batchWindowMs: config.batchWindowMs, log });
  } catch (error) {
    await policy.close();
    throw error;
  }
  log(`serve: model '${policy.name}' (input ${policy.inputSize}px, ${policy.maxTokens} tokens) at ${server.url}/v1`);
  return {
    ...server,
    close: async () => {
      await server.close();
      await policy.close();
    },
  };
}
