/**
 * The `--queue redis://[user:password@]host:port[/db]` URL: checked once with a clear message, and shown
 * only with its password replaced (logs, run headers, errors).
 */
import { ConfigError } from '../config.ts';

export interface QueueUrl {
  readonly url: string; // as given (with the password: only for the connection)
  readonly redacted: string;
  readonly host: string;
  readonly port: number;
}

/** The URL with any password (and a user's, if a user alone is given) replaced by ***. */
export function redactUrl(text: string): string {
  return text.replace(/([a-z][\w+.-]*:\/\/)([^@/\s]*)@/gi, (_m, scheme: string, auth: string) => {
    const colon = auth.indexOf(':');
    return `${scheme}${colon >= 0 ? `${auth.slice(0, colon)}:***` : '***'}@`;
  });
}

export function parseQueueUrl(text: string, flag = '--queue'): QueueUrl {
  let u: URL;
  try {
    u = new URL(text);
  } catch {
    throw new ConfigError(`${flag} must be a Redis URL like redis://HOST:PORT, got '${redactUrl(text)}'`);
  }
  if (u.protocol !== 'redis:' && u.protocol !== 'rediss:') throw new ConfigError(`${flag} must start with redis:// or rediss://, got '${redactUrl(text)}'`);
  if (u.hostname === '') throw new ConfigError(`${flag} names no host: '${redactUrl(text)}'`);
  const port = u.port === '' ? 6379 : Number(u.port);
  const db = u.pathname.replace(/^\//, '');
  if (db !== '' && !/^\d+$/.test(db)) throw new ConfigError(`${flag}: the database after the host must be a number, got '/${db}' in '${redactUrl(text)}'`);
  return { url: text, redacted: redactUrl(text), host: u.hostname, port };
}
