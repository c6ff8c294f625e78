/**
 * A scriptable OpenAI-compatible server on port 0 for policy and flow tests. `respond` decides, per request,
 * what the server does; every request body is kept so tests can inspect the wire format and count attempts.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface ChatRequest {
  readonly body: Record<string, unknown> & { messages: { role: string; content: unknown }[] };
  readonly attempt: number; // 1-based, per `key`
  readonly key: string; // the user text part: tests put the sample id there
}

export type Action =
  | { readonly kind: 'ok'; readonly texts: readonly string[] }
  | { readonly kind: 'status'; readonly status: number; readonly headers?: Record<string, string>; readonly body?: string }
  | { readonly kind: 'hang' }
  | { readonly kind: 'truncate' }
  | { readonly kind: 'reset' };

export interface FakeChatServer {
  readonly url: string;
  readonly requests: ChatRequest[];
  readonly attempts: Map<string, number>;
  close(): Promise<void>;
}

export function imageText(body: ChatRequest['body']): string {
  const user = body.messages.find((m) => m.role === 'user');
  const part = (user?.content as { type: string; image_url?: { url: string } }[]).find((p) => p.type === 'image_url');
  return Buffer.from(part?.image_url?.url.split(',')[1] ?? '', 'base64').toString('utf8');
}

export function userText(body: ChatRequest['body']): string {
  const user = body.messages.find((m) => m.role === 'user');
  if (typeof user?.content === 'string') return user.content;
  const part = (user?.content as { type: string; text?: string }[] | undefined)?.find((p) => p.type === 'text');
  return part?.text ?? '';
}

function okBody(texts: readonly string[]): string {
  return JSON.stringify({
    id: 'chatcmpl-test',
    object: 'chat.completion',
    choices: texts.map((text, index) => ({ index, message: { role: 'assistant', content: text }, finish_reason: 'stop' })),
  });
}

/** `keyOf` names the sample a request is for (default: its user text). */
export async function startFakeChatServer(
  respond: (request: ChatRequest) => Action,
  models = ['fake-model'],
  keyOf: (body: ChatRequest['body']) => string = userText,
): Promise<FakeChatServer> {
  const requests: ChatRequest[] = [];
  const attempts = new Map<string, number>();
  const server = createServer(async (req: IncomingMessage, res: ServerResponse) => {
    if (req.method === 'GET' && req.url === '/v1/models') {
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify({ object: 'list', data: models.map((id) => ({ id, object: 'model' })) }));
      return;
    }
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as ChatRequest['body'];
    const key = keyOf(body);
    const attempt = (attempts.get(key) ?? 0) + 1;
    attempts.set(key, attempt);
    const request = { body, attempt, key };
    requests.push(request);
    const action = respond(request);
    switch (action.kind) {
      case 'ok':
        res.setHeader('content-type', 'application/json');
        res.end(okBody(action.texts));
        return;
      case 'status':
        res.writeHead(action.status, { 'content-type': 'application/json', ...action.headers });
        res.end(action.body ?? JSON.stringify({ error: { message: `injected ${action.status}`, type: 'test', param: null, code: null } }));
        return;
      case 'hang':
        return; // never answers; the client's timeout must fire
      case 'truncate': {
        const full = okBody(['never seen']);
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(full.slice(0, full.length >> 1));
        return;
      }
      case 'reset':
        req.socket.destroy();
        return;
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    attempts,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
