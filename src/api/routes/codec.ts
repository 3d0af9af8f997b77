import Router from '@koa/router';
import type Koa from 'koa';
import getRawBody from 'raw-body';
import { z } from 'zod';
import { ValueError, type Payload, type PayloadCodec } from '@temporalio/common';
// The SDK's own codec chaining (array order on encode, reverse on decode), as the data converter uses it.
import { decode, encode } from '@temporalio/common/lib/internal-non-workflow/codec-helpers.js';
import type { Logger } from '../../logger.js';
import { ApiError } from '../errors.js';
import { operatorAccess } from '../middleware/operator-access.js';
import { parseWith } from '../validate.js';

export interface CodecRouteDeps {
  /** The same codecs as the data converter (createPayloadCodecs), in the same order. */
  codecs: readonly PayloadCodec[];
  /** The only namespace served; the Web UI and CLI name theirs in X-Namespace. */
  namespace: string;
  /** Web UI origins allowed to call from the operator's browser (exact match, never `*`). */
  corsOrigins: readonly string[];
  authToken: string | undefined;
  /** Outside production: without a token, callers on this machine are served (`npm run dev`). */
  loopbackWithoutToken: boolean;
  maxBodyBytes: number;
  log: Logger;
}

const PATHS = ['/codec/:op', '/codec/:namespace/:op'];
const OPS = new Set(['decode', 'encode']);

/** Proto3 JSON of a Payload: bytes as base64 (or base64url), per metadata entry and for data. */
const base64 = z.string().regex(/^[A-Za-z0-9+/_-]*={0,2}$/, 'must be base64');
const CodecBody = z.object({
  payloads: z.array(z.object({ metadata: z.record(z.string(), base64).optional(), data: base64.optional() })),
});
type JsonPayload = z.output<typeof CodecBody>['payloads'][number];

/**
 * `POST /codec/decode|encode` and `/codec/{namespace}/decode|encode`: the remote codec the Temporal
 * Web UI (from the operator's browser) and the CLI use to show encrypted payloads. Whoever may call
 * `decode` can read every message in every history, so: operator authentication, the namespace
 * checked, CORS for configured UI origins only, a size limit, no caching, and every call logged
 * (who, which namespace, how many payloads; never their content).
 */
export function codecRoutes(deps: CodecRouteDeps): Router {
  const router = new Router();
  const origins = new Set(deps.corsOrigins);

  /** Reflects an allowed Origin; a browser page from any other origin is refused outright. */
  const cors: Koa.Middleware = async (ctx, next) => {
    ctx.vary('Origin');
    const origin = ctx.get('Origin');
    if (origin) {
      if (!origins.has(origin)) throw new ApiError(403, 'origin_not_allowed', 'This origin may not call the codec endpoint');
      ctx.set({
        'Access-Control-Allow-Origin': origin,
        'Access-Control-Allow-Credentials': 'true',
        'Access-Control-Allow-Methods': 'POST, OPTIONS',
        'Access-Control-Allow-Headers': 'Content-Type, X-Namespace, Authorization',
        'Access-Control-Max-Age': '600',
      });
    }
    await next();
  };

  // Preflight: carries no credentials by design, so it is answered before authentication.
  router.options(PATHS, cors, (ctx) => {
    ctx.status = 204;
  });

  router.post(
    PATHS,
    cors,
    async (ctx, next) => {
      if (!OPS.has(ctx.params.op!)) throw new ApiError(404, 'not_found', 'No such route');
      await next();
    },
    operatorAccess({ token: deps.authToken, loopbackWithoutToken: deps.loopbackWithoutToken, tokenVariable: 'CODEC_AUTH_TOKEN' }),
    async (ctx) => {
      const op = ctx.params.op as 'decode' | 'encode';
      const named = [ctx.get('X-Namespace'), ctx.params.namespace].filter((n): n is string => !!n);
      if (named.length === 0 || named.some((n) => n !== deps.namespace)) {
        throw new ApiError(403, 'namespace_not_served', 'X-Namespace (or the path) must name the namespace this service runs in');
      }
      if (!ctx.is('application/json')) throw new ApiError(415, 'unsupported_media_type', 'Content-Type must be application/json');
      const raw = await getRawBody(ctx.req, { limit: deps.maxBodyBytes, encoding: 'utf8' });
      let json: unknown;
      try {
        json = JSON.parse(raw);
      } catch {
        throw new ApiError(400, 'invalid_json', 'Request body is not valid JSON');
      }
      const payloads = parseWith(CodecBody, json).payloads.map(fromJson);
      let result: Payload[];
      try {
        result = op === 'decode' ? await decode([...deps.codecs], payloads) : await encode([...deps.codecs], payloads);
      } catch (err) {
        // Codec messages name a key id at most, never content.
        if (err instanceof ValueError) throw new ApiError(422, 'payload_not_decodable', err.message);
        throw err;
      }
      deps.log.info(
        { requestId: ctx.state.requestId, op, namespace: deps.namespace, count: payloads.length, ip: ctx.ip, via: ctx.state.operatorAccess as string },
        `codec ${op}`,
      );
      ctx.set('Cache-Control', 'no-store');
      ctx.body = { payloads: result.map(toJson) };
    },
  );

  return router;
}

function fromJson(p: JsonPayload): Payload {
  return {
    metadata: Object.fromEntries(Object.entries(p.metadata ?? {}).map(([k, v]) => [k, Buffer.from(v, 'base64')])),
    ...(p.data !== undefined ? { data: Buffer.from(p.data, 'base64') } : {}),
  };
}

function toJson(p: Payload): JsonPayload {
  return {
    metadata: Object.fromEntries(Object.entries(p.metadata ?? {}).map(([k, v]) => [k, Buffer.from(v ?? new Uint8Array()).toString('base64')])),
    ...(p.data ? { data: Buffer.from(p.data).toString('base64') } : {}),
  };
}
