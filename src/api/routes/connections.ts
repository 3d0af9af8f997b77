import Router from '@koa/router';
import { createHash } from 'node:crypto';
import type Koa from 'koa';
import { z } from 'zod';
import type { Channels } from '../../db/channels.js';
import type { ConnectionSessions } from '../../db/connection-sessions.js';
import type { ConnectionRow, Connections } from '../../db/connections.js';
import type { ConnectFlow, ConnectionStatus, ConnectionTiming } from '../../shared/connections.js';
import type { Workflows } from '../../temporal/client.js';
import { ApiError } from '../errors.js';
import { requireInstance } from '../middleware/dsk-auth.js';
import { parseBody, parseWith } from '../validate.js';
import { decodeCursor, pageOf, pageQuery } from '../pagination.js';

export interface ConnectionRoutesDeps {
  connections: Connections;
  sessions: ConnectionSessions;
  channels: Channels;
  workflows: Pick<Workflows, 'ensureConnectionStarted' | 'connectionStatus' | 'beginReauthorization'>;
  publicBaseUrl: string;
  /** Flows this deployment offers; the first of a channel type is its default. */
  enabledFlows: readonly ConnectFlow[];
  sessionTtlMs: number;
  timing?: ConnectionTiming;
  /** Refuse plain-http return URLs (production): the person's browser lands there after the flow. */
  httpsOnly?: boolean;
  /** Per-instance quota of connections still awaiting authorization; over it 429. */
  openConnections?: { limit: number; count(instanceId: string, now: Date): Promise<number> };
  clock: () => Date;
}

const FLOW_CHANNEL: Record<ConnectFlow, 'whatsapp' | 'instagram'> = {
  whatsapp_embedded_signup: 'whatsapp',
  instagram_facebook_login: 'instagram',
  instagram_login: 'instagram',
};

export const CreateConnection = z.strictObject({
  channel_type: z.enum(['whatsapp', 'instagram']),
  return_url: z.url({ protocol: /^https?$/, message: 'must be an http(s) URL' }).max(2048),
  flow: z.enum(['whatsapp_embedded_signup', 'instagram_facebook_login', 'instagram_login']).optional(),
});
const HttpsCreateConnection = CreateConnection.extend({
  return_url: z.url({ protocol: /^https$/, message: 'must be an https URL' }).max(2048),
});
export const IdParam = z.object({ id: z.uuid({ message: 'must be a UUID' }) });
export const ConnectionListQuery = z.strictObject({ ...pageQuery({ defaultLimit: 100, maxLimit: 500 }) });
/** `Idempotency-Key` of POST /v1/connections: what DSK may use as its own request id. */
export const IdempotencyKeyHeader = z.string().regex(/^[A-Za-z0-9._:-]{1,128}$/, 'must be 1-128 of A-Z a-z 0-9 . _ : -');

/** Connections are short-lived until authorized; a minute is how soon a slot can free up. */
const QUOTA_RETRY_AFTER_SECONDS = 60;

/** DSK starts and follows channel connections; each is the workflow `connection-<id>`. */
export function connectionRoutes(deps: ConnectionRoutesDeps): Router {
  const router = new Router({ prefix: '/v1' });
  const connectUrl = (id: string) => `${deps.publicBaseUrl}/connect/${id}`;

  /**
   * With an `Idempotency-Key` (kept per instance for 24 hours), a repeat with the same body answers
   * the same connection (and starts its workflow if the first request died before it); the same key
   * with another body is refused with 409 `idempotency_key_reused`.
   */
  router.post('/connections', async (ctx) => {
    const instanceId = requireInstance(ctx);
    const rawKey = ctx.get('idempotency-key');
    const idempotencyKey = rawKey === '' ? undefined : parseWith(z.object({ 'Idempotency-Key': IdempotencyKeyHeader }), { 'Idempotency-Key': rawKey })['Idempotency-Key'];
    const body = await parseBody(ctx, deps.httpsOnly ? HttpsCreateConnection : CreateConnection);
    const now = deps.clock();
    const requestHash = idempotencyKey === undefined ? undefined : hashRequest(body);
    if (idempotencyKey !== undefined) {
      const earlier = await deps.connections.byIdempotencyKey(instanceId, idempotencyKey, now);
      if (earlier) return replay(ctx, earlier, requestHash!);
    }
    if (deps.openConnections && (await deps.openConnections.count(instanceId, now)) >= deps.openConnections.limit) {
      ctx.set('Retry-After', String(QUOTA_RETRY_AFTER_SECONDS));
      throw new ApiError(429, 'quota_exceeded', `This instance has ${deps.openConnections.limit} connections awaiting authorization; finish or let some expire first`);
    }
    const flow = body.flow ?? deps.enabledFlows.find((f) => FLOW_CHANNEL[f] === body.channel_type);
    if (!flow || !deps.enabledFlows.includes(flow) || FLOW_CHANNEL[flow] !== body.channel_type) {
      throw new ApiError(422, 'validation_failed', 'Request does not match the schema', [
        { path: 'flow', message: `not available for ${body.channel_type} here; available: ${deps.enabledFlows.filter((f) => FLOW_CHANNEL[f] === body.channel_type).join(', ') || 'none'}` },
      ]);
    }
    const expiresAt = new Date(now.getTime() + deps.sessionTtlMs);
    const connection = await deps.connections.create({
      instanceId,
      channelType: body.channel_type,
      flow,
      returnUrl: body.return_url,
      expiresAt,
      ...(idempotencyKey !== undefined ? { idempotency: { key: idempotencyKey, requestHash: requestHash!, now } } : {}),
    });
    // A concurrent request with the same key created it first.
    if (!connection.created) return replay(ctx, connection, requestHash!);
    // Such a concurrent repeat may also have started the workflow already (its replay starts a pending
    // connection's workflow), between this row's commit and this start: the same workflow, not an error.
    await deps.workflows.ensureConnectionStarted(workflowInput(connection));
    ctx.status = 201;
    ctx.body = created(connection);
  });

  function workflowInput(connection: ConnectionRow) {
    return {
      connectionId: connection.id,
      instanceId: connection.instanceId,
      channelType: connection.channelType,
      flow: connection.flow,
      sessionExpiresAt: connection.expiresAt.toISOString(),
      ...(deps.timing ? { timing: deps.timing } : {}),
    };
  }

  function created(connection: ConnectionRow) {
    return { connection_id: connection.id, connect_url: connectUrl(connection.id), expires_at: connection.expiresAt.toISOString(), status: 'awaiting_authorization', flow: connection.flow };
  }

  async function replay(ctx: Koa.Context, connection: ConnectionRow, requestHash: string): Promise<void> {
    if (connection.requestHash !== requestHash) {
      throw new ApiError(409, 'idempotency_key_reused', 'This Idempotency-Key was used for a different request within the last 24 hours; use a new key', { connection_id: connection.id });
    }
    if (connection.status === 'pending') await deps.workflows.ensureConnectionStarted(workflowInput(connection));
    ctx.status = 201;
    ctx.set('Idempotent-Replayed', 'true');
    ctx.body = created(connection);
  }

  /**
   * The instance's connections, oldest first, as stored (one workflow query per row would make a page
   * cost a Temporal round trip per connection; GET /v1/connections/:id answers the live phase).
   */
  router.get('/connections', async (ctx) => {
    const instanceId = requireInstance(ctx);
    const query = parseWith(ConnectionListQuery, ctx.query);
    const rows = await deps.connections.pageForInstance(instanceId, { after: decodeCursor(query.after, 2), limit: query.limit + 1 });
    const { items, next_cursor } = pageOf(rows, query.limit, (r) => r.key);
    ctx.body = {
      connections: items.map(({ connection: c }) => ({
        connection_id: c.id,
        channel_type: c.channelType,
        flow: c.flow,
        // The row's `pending` is the workflow's `awaiting_authorization`; the other states are named alike.
        status: c.status === 'pending' ? 'awaiting_authorization' : c.status,
        channel_id: c.channelId,
        failure: c.failureCode ? { code: c.failureCode } : null,
        expires_at: c.expiresAt.toISOString(),
        created_at: c.createdAt.toISOString(),
      })),
      next_cursor,
    };
  });

  router.get('/connections/:id', async (ctx) => {
    const instanceId = requireInstance(ctx);
    const { id } = parseWith(IdParam, ctx.params);
    const connection = await deps.connections.getForInstance(id, instanceId);
    if (!connection) throw new ApiError(404, 'connection_not_found', 'No such connection');
    ctx.body = await describe(connection);
  });

  /** Starts a new authorization round for a channel (token needs re-authorization, or is to be replaced). */
  router.post('/channels/:id/reconnect', async (ctx) => {
    const instanceId = requireInstance(ctx);
    const { id } = parseWith(IdParam, ctx.params);
    const channel = await deps.channels.getForInstance(id, instanceId);
    if (!channel) throw new ApiError(404, 'channel_not_found', 'No such channel');
    if (channel.status === 'disconnected' || !channel.connectionId) throw new ApiError(409, 'channel_disconnected', 'A disconnected channel cannot be re-connected; create a new connection');
    const expiresAt = new Date(deps.clock().getTime() + deps.sessionTtlMs);
    const current = await deps.workflows.connectionStatus(channel.connectionId);
    await deps.sessions.open(channel.connectionId, expiresAt, current.round + 1);
    const begun = await deps.workflows.beginReauthorization(channel.connectionId, expiresAt).catch(() => ({ accepted: false }) as const);
    if (!begun.accepted) {
      await deps.sessions.delete(channel.connectionId);
      throw new ApiError(409, 'not_reconnectable', `The channel cannot be re-connected now (phase ${current.phase})`);
    }
    ctx.body = { connection_id: channel.connectionId, connect_url: connectUrl(channel.connectionId), expires_at: expiresAt.toISOString(), status: 'awaiting_authorization' };
  });

  async function describe(connection: ConnectionRow) {
    // Without its workflow (ended and past retention, or unreachable) the connection reads as stored.
    const live: ConnectionStatus | undefined = await deps.workflows.connectionStatus(connection.id).catch(() => undefined);
    return {
      connection_id: connection.id,
      channel_type: connection.channelType,
      flow: connection.flow,
      status: live?.phase ?? connection.status,
      channel_id: live?.channelId ?? connection.channelId,
      failure: live?.failure ?? (connection.failureCode ? { code: connection.failureCode } : null),
      expires_at: connection.expiresAt.toISOString(),
      created_at: connection.createdAt.toISOString(),
    };
  }

  return router;
}

/** The request as parsed (schema key order, defaults absent): the same body always hashes alike, whatever its spacing or key order. */
function hashRequest(body: { channel_type: string; return_url: string; flow?: string | undefined }): string {
  return createHash('sha256').update(JSON.stringify([body.channel_type, body.return_url, body.flow ?? null])).digest('base64url');
}
