import Router from '@koa/router';
import { z } from 'zod';
import type { Channels } from '../../db/channels.js';
import type { ConnectionSessions } from '../../db/connection-sessions.js';
import type { ConnectionRow, Connections } from '../../db/connections.js';
import type { ConnectFlow, ConnectionStatus, ConnectionTiming } from '../../shared/connections.js';
import type { Workflows } from '../../temporal/client.js';
import { ApiError } from '../errors.js';
import { requireInstance } from '../middleware/dsk-auth.js';
import { parseBody, parseWith } from '../validate.js';

export interface ConnectionRoutesDeps {
  connections: Connections;
  sessions: ConnectionSessions;
  channels: Channels;
  workflows: Pick<Workflows, 'startConnection' | 'connectionStatus' | 'beginReauthorization'>;
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
/** Connections are short-lived until authorized; a minute is how soon a slot can free up. */
const QUOTA_RETRY_AFTER_SECONDS = 60;

/** DSK starts and follows channel connections; each is the workflow `connection-<id>`. */
export function connectionRoutes(deps: ConnectionRoutesDeps): Router {
  const router = new Router({ prefix: '/v1' });
  const connectUrl = (id: string) => `${deps.publicBaseUrl}/connect/${id}`;

  router.post('/connections', async (ctx) => {
    const instanceId = requireInstance(ctx);
    const body = await parseBody(ctx, deps.httpsOnly ? HttpsCreateConnection : CreateConnection);
    if (deps.openConnections && (await deps.openConnections.count(instanceId, deps.clock())) >= deps.openConnections.limit) {
      ctx.set('Retry-After', String(QUOTA_RETRY_AFTER_SECONDS));
      throw new ApiError(429, 'quota_exceeded', `This instance has ${deps.openConnections.limit} connections awaiting authorization; finish or let some expire first`);
    }
    const flow = body.flow ?? deps.enabledFlows.find((f) => FLOW_CHANNEL[f] === body.channel_type);
    if (!flow || !deps.enabledFlows.includes(flow) || FLOW_CHANNEL[flow] !== body.channel_type) {
      throw new ApiError(422, 'validation_failed', 'Request does not match the schema', [
        { path: 'flow', message: `not available for ${body.channel_type} here; available: ${deps.enabledFlows.filter((f) => FLOW_CHANNEL[f] === body.channel_type).join(', ') || 'none'}` },
      ]);
    }
    const expiresAt = new Date(deps.clock().getTime() + deps.sessionTtlMs);
    const connection = await deps.connections.create({ instanceId, channelType: body.channel_type, flow, returnUrl: body.return_url, expiresAt });
    await deps.workflows.startConnection({
      connectionId: connection.id,
      instanceId,
      channelType: body.channel_type,
      flow,
      sessionExpiresAt: expiresAt.toISOString(),
      ...(deps.timing ? { timing: deps.timing } : {}),
    });
    ctx.status = 201;
    ctx.body = { connection_id: connection.id, connect_url: connectUrl(connection.id), expires_at: expiresAt.toISOString(), status: 'awaiting_authorization', flow };
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
