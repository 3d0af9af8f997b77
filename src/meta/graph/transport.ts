import { createHmac } from 'node:crypto';
import { z } from 'zod';
import { toAllowedOrigin } from '../allowed-origins.js';
import { type MetaApiError, MetaRequestError, parseMetaError, type GraphOperation } from './errors.js';

/*
 * The service's only HTTP path to Meta's hosts. Every product module (OAuth, WhatsApp, Instagram)
 * calls Meta through here: a timeout on every call, size-limited JSON and error bodies, the token in
 * the Authorization header (with `appsecret_proof` on graph.facebook.com), cursor pagination, and
 * transport failures as MetaRequestError. Tokens never appear in a log line or an error message. The
 * one exception to "never in a URL" is what Meta's OAuth contract demands: the code exchange,
 * `fb_exchange_token` and `debug_token`'s `input_token` are query parameters; those URLs are not
 * logged, and the values are scrubbed from errors.
 */

export const GRAPH_ID = /^\d{1,32}$/;
/** Visible ASCII: anything else would be refused by fetch with an error that quotes the header value. */
export const TOKEN_CHARS = /^[\x21-\x7e]{1,4096}$/;
/** Meta sends ids as strings, a few endpoints as numbers; they are always handled as strings here. */
export const IdString = z.union([z.string().min(1).max(64), z.number().int().nonnegative()]).transform(String);

const MAX_ERROR_BODY = 64 * 1024;
export const MAX_JSON_BODY = 1024 * 1024;
const USER_AGENT = 'meta-integration-service';
/** Listing endpoints are followed by cursor, at most this many pages (100 rows each). */
const MAX_PAGES = 20;

/** The token as a header, checked first: fetch's own refusal of a bad header value would quote it. */
export function bearerHeaders(token: string): Record<string, string> {
  if (typeof token !== 'string' || !TOKEN_CHARS.test(token)) throw new TypeError('access token is empty or has characters not allowed in a header');
  return { authorization: `Bearer ${token}`, 'user-agent': USER_AGENT };
}

/** Ids go into URL paths: digits only, so no id can change the path. */
export function checkId(id: string, what: string): void {
  if (typeof id !== 'string' || !GRAPH_ID.test(id)) throw new TypeError(`${what} must be 1-32 digits`);
}

/** Codes, tokens and secrets: the message names what was wrong, never the value. */
export function checkSecret(value: string, what: string): void {
  if (typeof value !== 'string' || !TOKEN_CHARS.test(value)) throw new TypeError(`${what} is empty or has characters Meta never uses`);
}

const SuccessBody = z.object({ success: z.union([z.literal(true), z.literal('true')]) }).loose();

/** Calls that answer `{success: true}`: anything else is an answer we cannot trust. */
export function expectSuccess(operation: GraphOperation, json: unknown): void {
  if (!SuccessBody.safeParse(json).success) throw new MetaRequestError(operation, 'invalid_response');
}

/** What one JSON call to any Meta host needs. */
export interface MetaHttp {
  fetch: typeof fetch;
  timeoutMs: number;
  now: () => number;
}

export interface MetaJsonRequest {
  method: 'GET' | 'POST' | 'DELETE';
  url: string;
  /** Sent as `Authorization: Bearer`; omitted for the unauthenticated OAuth exchanges. */
  token?: string;
  /** JSON body. */
  json?: unknown;
  /** `application/x-www-form-urlencoded` body (Instagram's code exchange). */
  form?: Record<string, string>;
  /**
   * Codes, client secrets and tokens that Meta's API contract puts in the URL or body: scrubbed from
   * Meta's error text, and their presence drops fetch's own error (which can quote the URL).
   */
  secrets?: ReadonlyArray<string | undefined>;
}

/** A failed fetch as MetaRequestError: `timeout` when aborted by a timer, `network` otherwise. */
export function transportError(operation: GraphOperation, err: unknown, opts: { keepCause?: boolean } = {}): MetaRequestError {
  if (err instanceof MetaRequestError) return err;
  const name = err instanceof Error || err instanceof DOMException ? err.name : '';
  const reason = name === 'TimeoutError' || name === 'AbortError' ? 'timeout' : 'network';
  // The cause is kept for its name/code only: fetch errors carry no header values (tokens are checked
  // before). Calls with secrets in the URL (OAuth) drop it: some fetch errors quote the URL.
  return new MetaRequestError(operation, reason, opts.keepCause === false ? undefined : { cause: err });
}

/** Reads at most `limit` bytes; beyond it either truncates (error bodies) or fails with too_large. */
export async function readLimited(operation: GraphOperation, response: Response, limit: number, opts: { truncate?: boolean } = {}): Promise<string> {
  if (!response.body) return '';
  const reader = response.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > limit) {
      await reader.cancel().catch(() => undefined);
      if (!opts.truncate) throw new MetaRequestError(operation, 'too_large');
      chunks.push(value.subarray(0, value.byteLength - (size - limit)));
      break;
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks).toString('utf8');
}

/** An error response as MetaApiError; the status alone still classifies it when the body cannot be read. */
export async function metaApiErrorFrom(
  http: MetaHttp,
  operation: GraphOperation,
  response: Response,
  token: string | undefined,
  secrets: ReadonlyArray<string | undefined> = [],
): Promise<MetaApiError> {
  let text = '';
  try {
    text = await readLimited(operation, response, MAX_ERROR_BODY, { truncate: true });
  } catch {
    // The status alone still classifies the failure.
  }
  return parseMetaError(operation, response.status, response.headers, text, { ...(token === undefined ? {} : { token }), secrets, nowMs: http.now() });
}

/** A 2xx body as JSON: size-limited, and anything but JSON is `invalid_response`. */
export async function readJson(operation: GraphOperation, response: Response, opts: { keepCause?: boolean } = {}): Promise<unknown> {
  let text: string;
  try {
    text = await readLimited(operation, response, MAX_JSON_BODY);
  } catch (err) {
    throw err instanceof MetaRequestError ? err : transportError(operation, err, opts);
  }
  try {
    return JSON.parse(text);
  } catch {
    throw new MetaRequestError(operation, 'invalid_response');
  }
}

/** One JSON call to a Meta host: Graph or Instagram-OAuth errors become MetaApiError, the rest MetaRequestError. */
export async function requestMetaJson(http: MetaHttp, operation: GraphOperation, request: MetaJsonRequest): Promise<unknown> {
  const headers = request.token !== undefined ? bearerHeaders(request.token) : { 'user-agent': USER_AGENT };
  let body: string | URLSearchParams | undefined;
  if (request.json !== undefined) {
    headers['content-type'] = 'application/json';
    body = JSON.stringify(request.json);
  } else if (request.form) {
    body = new URLSearchParams(request.form);
  }
  const keepCause = !(request.secrets ?? []).some((s) => !!s);
  let response: Response;
  try {
    response = await http.fetch(request.url, { method: request.method, headers, ...(body === undefined ? {} : { body }), redirect: 'error', signal: AbortSignal.timeout(http.timeoutMs) });
  } catch (err) {
    throw transportError(operation, err, { keepCause });
  }
  if (!response.ok) throw await metaApiErrorFrom(http, operation, response, request.token, request.secrets ?? []);
  return readJson(operation, response, { keepCause });
}

/** fetch error codes (undici / Node) raised before any byte of the request left this process. */
const NOT_CONNECTED_CODES = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'ENETUNREACH', 'EHOSTUNREACH', 'UND_ERR_CONNECT_TIMEOUT']);

function neverConnected(err: unknown): boolean {
  for (let e: unknown = err, depth = 0; e && typeof e === 'object' && depth < 5; e = (e as { cause?: unknown }).cause, depth += 1) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'string' && NOT_CONNECTED_CODES.has(code)) return true;
  }
  return false;
}

/**
 * One Send API call. Meta's Send APIs have no idempotency key, so how a call failed matters: a
 * connection that never opened becomes `unreachable` (safe to retry); a timeout or a reset stays
 * `timeout` / `network`, which callers must treat as "may have been sent".
 */
export async function requestMetaSend(http: MetaHttp, request: MetaJsonRequest): Promise<unknown> {
  try {
    return await requestMetaJson(http, 'sendMessage', request);
  } catch (err) {
    if (err instanceof MetaRequestError && err.reason === 'network' && neverConnected(err.cause)) {
      throw new MetaRequestError('sendMessage', 'unreachable', { cause: err.cause });
    }
    throw err;
  }
}

export interface GraphTransportOptions {
  /** e.g. `https://graph.facebook.com`, without the version. */
  baseUrl: string;
  /** e.g. `v26.0`. */
  version: string;
  /** When set, every authenticated Graph call carries `appsecret_proof` = hex HMAC-SHA256(appSecret, token). */
  appSecret?: string;
  /** Per Graph call, and until the response headers of a download; default 10 s. */
  timeoutMs?: number;
  /** Injected for tests; defaults to the global fetch. */
  fetch?: typeof fetch;
  now?: () => number;
}

type Query = Record<string, string | undefined>;

/** graph.facebook.com at the pinned version: what every graph.facebook.com product module calls through. */
export interface GraphTransport {
  readonly version: string;
  /** The Graph origin (`https://graph.facebook.com`, or the emulator's). */
  readonly origin: string;
  readonly http: MetaHttp;
  /** `<base>/<version>/<path>?query`; with a token, plus `appsecret_proof`. `token` undefined: an unauthenticated call (the OAuth code exchange). */
  url(path: string, token: string | undefined, query?: Query): string;
  /** One authenticated JSON call. */
  json(operation: GraphOperation, method: 'GET' | 'POST' | 'DELETE', path: string, token: string, opts?: { query?: Query; json?: unknown }): Promise<unknown>;
  /** A listing endpoint, following `paging.cursors.after` while Meta says there is a next page. */
  listAll<Row>(operation: GraphOperation, path: string, token: string, query: Record<string, string>, parse: (json: unknown) => Page<Row> | undefined): Promise<Row[]>;
}

export interface Page<Row> {
  data: Row[];
  paging?: { cursors?: { after?: string | undefined } | undefined; next?: string | undefined } | undefined;
}

/** The `paging` member of Graph listings. */
export const Paging = z.object({ cursors: z.object({ after: z.string().optional() }).loose().optional(), next: z.string().optional() }).loose().optional();

/** Validates the base URL and version once; every graph.facebook.com call of the process goes through the result. */
export function createGraphTransport(options: GraphTransportOptions): GraphTransport {
  if (!/^v\d+\.0$/.test(options.version)) throw new TypeError('Graph version must look like v26.0');
  let origin: string;
  try {
    origin = toAllowedOrigin(options.baseUrl.replace(/\/+$/, ''));
  } catch {
    throw new TypeError('Graph base URL must be an http(s) origin without path, e.g. https://graph.facebook.com');
  }
  const versionRoot = `${origin}/${options.version}`;
  const http: MetaHttp = { fetch: options.fetch ?? fetch, timeoutMs: options.timeoutMs ?? 10_000, now: options.now ?? Date.now };

  function url(path: string, token: string | undefined, query: Query = {}): string {
    const u = new URL(`${versionRoot}/${path}`);
    for (const [name, value] of Object.entries(query)) if (value !== undefined) u.searchParams.set(name, value);
    if (options.appSecret && token !== undefined) u.searchParams.set('appsecret_proof', createHmac('sha256', options.appSecret).update(token).digest('hex'));
    return u.toString();
  }

  function json(operation: GraphOperation, method: 'GET' | 'POST' | 'DELETE', path: string, token: string, opts: { query?: Query; json?: unknown } = {}): Promise<unknown> {
    return requestMetaJson(http, operation, { method, url: url(path, token, opts.query), token, ...(opts.json === undefined ? {} : { json: opts.json }) });
  }

  async function listAll<Row>(operation: GraphOperation, path: string, token: string, query: Record<string, string>, parse: (json: unknown) => Page<Row> | undefined): Promise<Row[]> {
    const rows: Row[] = [];
    let after: string | undefined;
    for (let page = 0; page < MAX_PAGES; page += 1) {
      const body = parse(await json(operation, 'GET', path, token, { query: { ...query, limit: '100', after } }));
      if (!body) throw new MetaRequestError(operation, 'invalid_response');
      rows.push(...body.data);
      after = body.paging?.next ? body.paging.cursors?.after : undefined;
      if (!after || body.data.length === 0) break;
    }
    return rows;
  }

  return { version: options.version, origin, http, url, json, listAll };
}
