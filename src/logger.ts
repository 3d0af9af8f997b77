import { pino, type Logger, type LoggerOptions } from 'pino';

export type { Logger } from 'pino';

/**
 * Field names whose values are never written to a log line, at any depth we log. Secrets and message
 * content must not reach logs (privacy policy §4); we log ids, kinds and counts instead, and this list
 * is the safety net for the day someone logs an object carelessly.
 */
export const REDACTED_FIELDS = [
  'authorization',
  'cookie',
  'set-cookie',
  'access_token',
  'accessToken',
  'token',
  'code',
  'state',
  'secret',
  'appSecret',
  'client_secret',
  'password',
  'signed_request',
  'body',
  'text',
  'rawBody',
  'payload',
] as const;

function redactPaths(): string[] {
  const paths: string[] = [];
  for (const field of REDACTED_FIELDS) {
    const key = /^[A-Za-z_$][\w$]*$/.test(field) ? field : `["${field}"]`;
    const join = (prefix: string) => (key.startsWith('[') ? `${prefix}${key}` : `${prefix}.${key}`);
    paths.push(key.startsWith('[') ? key.slice(2, -2) : key, join('*'), join('*.*'), join('req.headers'), join('err'));
  }
  return paths;
}

export interface LoggerConfig {
  level: string;
  name?: string;
  /** Where lines go; tests pass a stream to assert on what was logged. */
  destination?: NodeJS.WritableStream;
}

/** Structured JSON logger with redaction; the only logger the service uses. */
export function createLogger(config: LoggerConfig): Logger {
  const options: LoggerOptions = {
    level: config.level,
    base: config.name ? { service: config.name } : undefined,
    redact: { paths: redactPaths(), censor: '[redacted]' },
    timestamp: pino.stdTimeFunctions.isoTime,
    formatters: { level: (label) => ({ level: label }) },
  };
  return config.destination ? pino(options, config.destination as pino.DestinationStream) : pino(options);
}
