/**
 * `asymflow serve`: our models behind the OpenAI-compatible API (docs/architecture.md §6) with node:http —
 * `GET /v1/models`, `POST /v1/chat/completions` (a JSON body, or server-sent events with `stream: true`).
 * Bad requests get OpenAI-style JSON errors with a 4xx and never take the server down; concurrent requests
 * are batched into one sampling call (batcher.ts). A stream is sent once its completions are sampled (the
 * batched sampler returns whole rows), in the same chunk format vLLM sends token by token.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ApiError, badRequest } from './api-error.ts';
import { Batcher, type BatcherStats } from './batcher.ts';
import { parseChatRequest } from './chat-request.ts';
import { chatBody, chatChunks, chatResult } from './chat-response.ts';
import { decodeModelInput } from './decode-image.ts';
import type { ServedModel } from '../policy/served-model.ts';

export interface ServeOptions {
  readonly model: ServedModel;
  readonly host?: string; // default 127.0.0.1
  readonly port?: number; // default 0: any free port
  readonly maxBodyBytes?: number; // default 16 MiB; larger bodies get 413
  readonly batchWindowMs?: number; // default 5
  readonly maxBatch?: number; // default 16 rows per sampling call
  readonly maxN?: number; // default 16 completions per request
  readonly log?: (line: string) => void;
}

export interface RunningServer {
  readonly url: string; // http://host:port
  readonly port: number;
  stats(): BatcherStats & { readonly requests: number; readonly errors: number };
  close(): Promise<void>;
}

function send(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

/** The body as text; an ApiError 413 past `limit` bytes (the rest is drained so the client reads the error). */
async function readBody(req: IncomingMessage, limit: number): Promise<string> {
  const declared = Number(req.headers['content-length']);
  const chunks: Buffer[] = [];
  let size = 0;
  let tooLarge = Number.isFinite(declared) && declared > limit;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > limit) tooLarge = true;
    if (!tooLarge) chunks.push(chunk as Buffer);
    else if (size > 4 * limit) {
      req.destroy(); // not worth draining further
      break;
    }
  }
  if (tooLarge) throw new ApiError(413, `request body is larger than the limit of ${limit} bytes`, null, 'request_too_large');
  return Buffer.concat(chunks).toString('utf8');
}

export async function startServer(options: ServeOptions): Promise<RunningServer> {
  const { model } = options;
  const limit = options.maxBodyBytes ?? 16 * 1024 * 1024;
  const limits = { model: model.name, maxTokens: model.maxTokens, imageTokens: model.imageTokens, maxN: options.maxN ?? 16 };
  const batcher = new Batcher(model, options.batchWindowMs ?? 5, options.maxBatch ?? 16);
  const counts = { requests: 0, errors: 0 };
  const log = options.log ?? (() => {});

  async function chat(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const text = await readBody(req, limit);
    let body: unknown;
    try {
      body = JSON.parse(text);
    } catch (error) {
      throw badRequest(`malformed JSON body: ${(error as Error).message}`, null, 'invalid_json');
    }
    const job = parseChatRequest(body, limits, () => Math.floor(Math.random() * 2 ** 31));
    const pixels = await decodeModelInput(job.image, model.inputSize, 'messages[0].content image_url');
    const sampling = { temperature: job.temperature, topP: job.topP, maxTokens: job.maxTokens, n: job.n, stop: job.stop, topLogprobs: job.topLogprobs };
    const completions = await batcher.submit({ pixels, query: job.query, prefix: job.prefix, seed: job.seed }, sampling);
    const result = chatResult(job, completions);
    if (!job.stream) return send(res, 200, chatBody(job, result));
    res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache', connection: 'keep-alive' });
    for (const data of chatChunks(job, result)) res.write(`data: ${data}\n\n`);
    res.end();
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    counts.requests++;
    const path = (req.url ?? '/').split('?')[0].replace(/\/+$/, '');
    try {
      if (path === '/v1/models' || path === '/health') {
        if (req.method !== 'GET') throw new ApiError(405, `${req.method} is not allowed on ${path}; use GET`, null, 'method_not_allowed');
        if (path === '/health') return send(res, 200, { status: 'ok' });
        // input_size (not an OpenAI field): clients sending model-input pixels render them at this size, since
        // resizing another size here is close to, not equal to, drawing at it (decode-image.ts).
        return send(res, 200, {
          object: 'list',
          data: [
            {
              id: model.name,
              object: 'model',
              created: 0,
              owned_by: 'asymflow',
              max_model_len: model.imageTokens + model.maxTokens,
              input_size: model.inputSize,
            },
          ],
        });
      }
      if (path === '/v1/chat/completions') {
        if (req.method !== 'POST') throw new ApiError(405, `${req.method} is not allowed on ${path}; use POST`, null, 'method_not_allowed');
        return await chat(req, res);
      }
      throw new ApiError(404, `no route ${req.method} ${path}`, null, 'not_found');
    } catch (error) {
      counts.errors++;
      const api = error instanceof ApiError ? error : new ApiError(500, `internal error: ${(error as Error)?.message ?? String(error)}`);
      if (api.status >= 500) log(`serve: ${req.method} ${path} → ${api.status} ${api.message}`);
      if (!res.headersSent && !res.destroyed) send(res, api.status, api.body());
    }
  }

  const server: Server = createServer((req, res) => void handle(req, res));
  server.on('clientError', (_error, socket) => socket.destroy());
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, options.host ?? '127.0.0.1', () => resolve());
  });
  const address = server.address() as AddressInfo;
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  return {
    url: `http://${host}:${address.port}`,
    port: address.port,
    stats: () => ({ ...batcher.stats(), ...counts }),
    close: () =>
      new Promise<void>((resolve) => {
        batcher.close();
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
