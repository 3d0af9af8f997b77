import { randomBytes } from 'node:crypto';
import type Koa from 'koa';
import getRawBody from 'raw-body';
import type { EmulatedHost } from './scenario.js';
import { platformOf, type EmulatorState, type RevokeSubcode, type TokenRecord } from './state.js';

/**
 * Graph API behaviour shared by every emulated endpoint: the error shape (reference §7.1), WA-ERR HTTP
 * statuses, token extraction (Bearer header or `?access_token=`), token validation, appsecret_proof.
 * Error messages paraphrase the ones Graph is known to send; clients must only rely on code/subcode.
 */

export interface GraphErrorSpec {
  code: number;
  subcode?: number;
  message: string;
  type?: string;
  /** Overrides the WA-ERR status for the code. */
  status?: number;
  isTransient?: boolean;
  /**
   * Rendered as `error_data`. WhatsApp errors carry `{messaging_product: 'whatsapp', details}`, and
   * Meta asks clients to branch on `code` + `error_data.details` (reference §7.1).
   */
  errorData?: Record<string, unknown>;
}

/** Thrown by handlers; rendered as `{"error":{message,type,code,error_data,error_subcode,fbtrace_id}}`. */
export class GraphError extends Error {
  override readonly name = 'GraphError';
  constructor(readonly spec: GraphErrorSpec) {
    super(spec.message);
  }
}

/** Thrown by CDN-style endpoints (attachments), which answer with an HTML page, not Graph JSON. */
export class CdnError extends Error {
  override readonly name = 'CdnError';
  constructor(
    readonly status: number,
    readonly title: string,
  ) {
    super(title);
  }
}

/**
 * Thrown by the OAuth dialog pages when the request cannot be redirected back (unknown app, redirect
 * URI not registered, unknown configuration): Meta shows an HTML error page instead.
 */
export class DialogError extends Error {
  override readonly name = 'DialogError';
  constructor(
    readonly title: string,
    readonly detail: string,
    readonly status = 400,
  ) {
    super(title);
  }
}

export function renderDialogError(ctx: Koa.Context, err: DialogError): void {
  ctx.status = err.status;
  ctx.type = 'text/html; charset=utf-8';
  ctx.body = `<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>Error</title></head><body><main><h1 id="error-title">${escapeHtml(err.title)}</h1><p id="error-detail">${escapeHtml(err.detail)}</p></main></body></html>`;
}

/** api.instagram.com's OAuth endpoint answers `{error_type, code, error_message}` (reference §4.3), HTTP 400. */
export function renderInstagramOAuthError(ctx: Koa.Context, spec: GraphErrorSpec): void {
  ctx.status = spec.status ?? 400;
  ctx.type = 'application/json; charset=UTF-8';
  ctx.body = { error_type: spec.type ?? 'OAuthException', code: spec.code, error_message: spec.message };
}

/** The emulated host of this request (set by the host-prefix middleware). */
export function hostOf(ctx: Koa.Context): EmulatedHost {
  return (ctx.state.emulatedHost as EmulatedHost | undefined) ?? 'graph.facebook.com';
}

/** `/www.facebook.com` for prefixed hosts, '' for the root mount: links the emulator renders keep it. */
export function prefixOf(ctx: Koa.Context): string {
  return (ctx.state.emulatedPrefix as string | undefined) ?? '';
}

/**
 * Graph takes parameters from the query string, a form body or a JSON body alike. Body values win over
 * query values of the same name; repeated form fields are kept (`getAll`). Read once per request.
 */
export async function requestParams(ctx: Koa.Context): Promise<URLSearchParams> {
  const cached = ctx.state.emulatedParams as URLSearchParams | undefined;
  if (cached) return cached;
  const params = new URLSearchParams();
  if (ctx.method !== 'GET' && ctx.method !== 'HEAD' && (ctx.is('application/x-www-form-urlencoded') || ctx.is('application/json'))) {
    let raw: string;
    try {
      raw = await getRawBody(ctx.req, { length: ctx.get('content-length') || undefined, limit: 1024 * 1024, encoding: 'utf8' });
    } catch {
      throw new GraphError(graphErrors.invalidParam('Could not read the request body'));
    }
    if (ctx.is('application/json')) {
      let json: unknown;
      try {
        json = raw === '' ? {} : JSON.parse(raw);
      } catch {
        throw new GraphError(graphErrors.invalidParam('Invalid JSON in the request body'));
      }
      if (json && typeof json === 'object' && !Array.isArray(json)) {
        for (const [name, value] of Object.entries(json)) {
          if (value !== undefined && value !== null) params.append(name, typeof value === 'string' ? value : JSON.stringify(value));
        }
      }
    } else {
      for (const [name, value] of new URLSearchParams(raw)) params.append(name, value);
    }
  }
  for (const [name, value] of Object.entries(ctx.query)) {
    if (params.has(name)) continue;
    for (const v of Array.isArray(value) ? value : [value]) if (typeof v === 'string') params.append(name, v);
  }
  ctx.state.emulatedParams = params;
  return params;
}

/** HTTP status per WA-ERR (reference §7.1); everything else is 400. */
export function graphStatusFor(code: number): number {
  if (code === 0 || code === 190) return 401;
  if (code === 10 || (code >= 200 && code <= 299) || code === 368 || code === 131005 || code === 131031) return 403;
  if (code === 132001) return 404;
  if ([3, 131000, 131016, 131045, 131057, 133000].includes(code)) return 500;
  if (code === 2 || code === 133004) return 503;
  return 400;
}

export function newFbtraceId(): string {
  return randomBytes(8).toString('base64url').slice(0, 11);
}

export function renderGraphError(ctx: Koa.Context, spec: GraphErrorSpec): void {
  const fbtraceId = newFbtraceId();
  const type = spec.type ?? 'OAuthException';
  ctx.status = spec.status ?? graphStatusFor(spec.code);
  ctx.set('x-fb-trace-id', fbtraceId);
  if (spec.code === 190 || spec.code === 104) {
    ctx.set('www-authenticate', `OAuth "Facebook Platform" "invalid_token" "${spec.message.replace(/["\\\r\n]/g, ' ')}"`);
  }
  ctx.type = 'application/json; charset=UTF-8';
  ctx.body = {
    error: {
      message: spec.message,
      type,
      code: spec.code,
      ...(spec.errorData === undefined ? {} : { error_data: spec.errorData }),
      ...(spec.subcode === undefined ? {} : { error_subcode: spec.subcode }),
      ...(spec.isTransient === undefined ? {} : { is_transient: spec.isTransient }),
      fbtrace_id: fbtraceId,
    },
  };
}

export function renderCdnError(ctx: Koa.Context, status: number, title: string): void {
  ctx.status = status;
  ctx.type = 'text/html; charset=utf-8';
  ctx.body = `<!DOCTYPE html><html lang="en"><head><title>Error</title></head><body><h1>${escapeHtml(title)}</h1><p>Sorry, this content isn't available right now.</p></body></html>`;
}

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

const REVOKED_MESSAGES: Record<RevokeSubcode, string> = {
  458: 'Error validating access token: The user has not authorized application.',
  459: 'Error validating access token: You cannot access the app till you log in to www.facebook.com and follow the instructions given.',
  460: 'Error validating access token: The session has been invalidated because the user changed their password or Facebook has changed the session for security reasons.',
  464: 'Error validating access token: Sessions for the user are not allowed because the user is not a confirmed user.',
  467: 'Error validating access token: The session is invalid because the user logged out.',
  492: 'Error validating access token: The user does not have a role on the Page any more.',
};

/** The errors the emulated endpoints share. */
export const graphErrors = {
  noToken: (): GraphErrorSpec => ({ code: 104, message: 'An access token is required to request this resource.' }),
  invalidToken: (): GraphErrorSpec => ({ code: 190, message: 'Invalid OAuth access token - Cannot parse access token' }),
  expiredToken: (expiredAt: Date, now: Date): GraphErrorSpec => ({
    code: 190,
    subcode: 463,
    message: `Error validating access token: Session has expired on ${expiredAt.toUTCString()}. The current time is ${now.toUTCString()}.`,
  }),
  revokedToken: (subcode: RevokeSubcode): GraphErrorSpec => ({ code: 190, subcode, message: REVOKED_MESSAGES[subcode] }),
  invalidProof: (): GraphErrorSpec => ({ code: 100, type: 'GraphMethodException', message: 'Invalid appsecret_proof provided in the API argument' }),
  proofRequired: (): GraphErrorSpec => ({ code: 100, type: 'GraphMethodException', message: 'API calls from the server require an appsecret_proof argument' }),
  /** What Graph answers for an id that does not exist or that this token may not see. */
  objectNotFound: (method: string, id: string): GraphErrorSpec => ({
    code: 100,
    subcode: 33,
    type: 'GraphMethodException',
    message: `Unsupported ${method.toLowerCase()} request. Object with ID '${id}' does not exist, cannot be loaded due to missing permissions, or does not support this operation. Please read the Graph API documentation at https://developers.facebook.com/docs/graph-api`,
  }),
  missingPermission: (): GraphErrorSpec => ({ code: 10, message: '(#10) Application does not have permission for this action' }),
  missingParam: (name: string): GraphErrorSpec => ({ code: 100, message: `(#100) The parameter ${name} is required` }),
  invalidParam: (message: string): GraphErrorSpec => ({ code: 100, message: `(#100) ${message}` }),
  unknownPath: (path: string): GraphErrorSpec => ({ code: 2500, message: `Unknown path components: ${path}` }),
  unexpected: (): GraphErrorSpec => ({ code: 1, message: 'An unknown error has occurred.', isTransient: true, status: 500 }),
};

/** Bearer header first, then `?access_token=`; both appear in Meta's official samples. */
export function tokenFrom(ctx: Koa.Context): { token: string | undefined; via: 'header' | 'query' | 'none' } {
  const header = /^(?:Bearer|OAuth)\s+(\S+)\s*$/i.exec(ctx.get('authorization'));
  if (header) return { token: header[1], via: 'header' };
  const query = ctx.query.access_token;
  if (typeof query === 'string' && query !== '') return { token: query, via: 'query' };
  return { token: undefined, via: 'none' };
}

/**
 * The token of a Graph call, validated (unknown, revoked, expired, appsecret_proof); throws GraphError.
 * Instagram-Login tokens only work on graph.instagram.com and Facebook tokens only on
 * graph.facebook.com; appsecret_proof is a Meta-app setting, so it is checked on Facebook calls only.
 */
export function authenticate(ctx: Koa.Context, state: EmulatorState, opts: { platform?: 'facebook' | 'instagram' } = {}): TokenRecord {
  const platform = opts.platform ?? 'facebook';
  const { token } = tokenFrom(ctx);
  if (!token) throw new GraphError(graphErrors.noToken());
  const record = state.tokens.get(token);
  if (!record || platformOf(record.kind) !== platform) throw new GraphError(graphErrors.invalidToken());
  if (platform === 'facebook') {
    const proof = typeof ctx.query.appsecret_proof === 'string' ? ctx.query.appsecret_proof : undefined;
    const proofCheck = state.checkAppsecretProof(token, proof);
    if (proofCheck === 'invalid') throw new GraphError(graphErrors.invalidProof());
    if (proofCheck === 'absent' && state.requireAppSecretProof) throw new GraphError(graphErrors.proofRequired());
  }
  if (record.revoked !== undefined) throw new GraphError(graphErrors.revokedToken(record.revoked));
  const now = state.now();
  if (record.expiresAt && record.expiresAt.getTime() <= now.getTime()) throw new GraphError(graphErrors.expiredToken(record.expiresAt, now));
  return record;
}

/** A live (known, not revoked, not expired) token, or undefined; for endpoints that do not speak Graph JSON. */
export function liveToken(state: EmulatorState, token: string | undefined): TokenRecord | undefined {
  const record = token ? state.tokens.get(token) : undefined;
  if (!record || record.revoked !== undefined) return undefined;
  if (record.expiresAt && record.expiresAt.getTime() <= state.now().getTime()) return undefined;
  return record;
}

export function hasScope(record: TokenRecord, scope: string): boolean {
  return record.scopes === undefined || record.scopes.includes(scope);
}

export function requireScope(record: TokenRecord, scope: string): void {
  if (!hasScope(record, scope)) throw new GraphError(graphErrors.missingPermission());
}

export function canAccess(record: TokenRecord, assetId: string | undefined): boolean {
  return assetId === undefined || record.assets === undefined || record.assets.includes(assetId);
}

/** `/v26.0/...` → `v26.0`; the emulator accepts any `v<N>.0` (reference §9). */
export const VERSION_SEGMENT = /^v\d+\.0$/;

/**
 * `fields=id,name,instagram_business_account{id,username}` → name → sub-fields (undefined for plain
 * fields). One nesting level, which is all the emulated endpoints need.
 */
export function parseFields(raw: string | null): Map<string, string[] | undefined> | undefined {
  if (raw === null || raw.trim() === '') return undefined;
  const fields = new Map<string, string[] | undefined>();
  for (const match of raw.matchAll(/([a-z_]+)(?:\{([^}]*)\})?/g)) {
    fields.set(match[1]!, match[2]?.split(',').map((f) => f.trim()).filter(Boolean));
  }
  return fields;
}

/** Keeps the requested fields of a row (`id` always); nested objects are cut to their sub-fields. */
export function pickFields(row: Record<string, unknown>, fields: Map<string, string[] | undefined>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [name, sub] of fields) {
    const value = row[name];
    if (value === undefined) continue;
    if (sub && value && typeof value === 'object' && !Array.isArray(value)) {
      out[name] = Object.fromEntries(Object.entries(value).filter(([k]) => sub.includes(k)));
    } else {
      out[name] = value;
    }
  }
  if (row.id !== undefined) out.id = row.id;
  return out;
}

/** Graph cursor paging (`limit`, `after`): `paging.next` only when there is a next page. */
export function paginate<T>(ctx: Koa.Context, rows: T[], params: URLSearchParams, defaultLimit = 25): { data: T[]; paging?: Record<string, unknown> } {
  const limit = Math.min(Math.max(Number(params.get('limit') ?? defaultLimit) || defaultLimit, 1), 100);
  const after = params.get('after');
  let start = 0;
  if (after) {
    const decoded = Number(Buffer.from(after, 'base64url').toString('utf8'));
    if (!Number.isInteger(decoded) || decoded < 0) throw new GraphError(graphErrors.invalidParam('Invalid cursor'));
    start = decoded;
  }
  const data = rows.slice(start, start + limit);
  if (rows.length === 0) return { data };
  const cursor = (i: number) => Buffer.from(String(i)).toString('base64url');
  const paging: Record<string, unknown> = { cursors: { before: cursor(start), after: cursor(start + data.length) } };
  if (start + data.length < rows.length) {
    const next = new URL(`${ctx.protocol}://${ctx.host}${prefixOf(ctx)}${ctx.path}`);
    for (const [name, value] of params) if (name !== 'after' && name !== 'access_token') next.searchParams.set(name, value);
    next.searchParams.set('after', cursor(start + data.length));
    paging.next = next.toString();
  }
  return { data, paging };
}
