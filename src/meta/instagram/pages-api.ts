import { z } from 'zod';
import { createSubscribedApps, type SubscribedApp } from '../graph/subscribed-apps.js';
import { checkId, IdString, Paging, requestMetaSend, TOKEN_CHARS, type GraphTransport } from '../graph/transport.js';
import type { InstagramGraphBody } from './send-bodies.js';
import { IGSID, parseSenderProfile, SENDER_PROFILE_FIELDS, type InstagramSenderProfile } from './sender-profile.js';
import { parseInstagramSendBody, type InstagramSendResult } from './send-result.js';

/*
 * Instagram through Facebook Login, on graph.facebook.com (reference §5.2, §6.3): the pages a user
 * token grants with their linked Instagram accounts, the page's webhook subscription, and the Send
 * API with the page token.
 */

const PagesBody = z.object({
  data: z.array(
    z
      .object({
        id: IdString,
        name: z.string().optional(),
        access_token: z.string().regex(TOKEN_CHARS).optional(),
        tasks: z.array(z.string()).optional(),
        instagram_business_account: z.object({ id: IdString, username: z.string().optional() }).loose().optional(),
      })
      .loose(),
  ),
  paging: Paging,
});

/** One row of `GET /me/accounts` (reference §5.2). */
export interface FacebookPage {
  id: string;
  name: string | undefined;
  /** The page token derived from the user token (no expiry when that was long-lived). */
  accessToken: string | undefined;
  tasks: string[];
  instagramAccount: { id: string; username: string | undefined } | undefined;
}

/** The graph.facebook.com calls of Instagram via Facebook Login (connector and adapter). */
export function createInstagramPagesApi(graph: GraphTransport) {
  const subscriptions = createSubscribedApps(graph);

  return {
    /** The pages (with page tokens and linked Instagram accounts) a user token grants (reference §5.2). */
    async listPages(token: string): Promise<FacebookPage[]> {
      const fields = 'id,name,access_token,tasks,instagram_business_account{id,username}';
      const rows = await graph.listAll('listPages', 'me/accounts', token, { fields }, (json) => PagesBody.safeParse(json).data);
      return rows.map((p) => ({
        id: p.id,
        name: p.name,
        accessToken: p.access_token,
        tasks: p.tasks ?? [],
        instagramAccount: p.instagram_business_account ? { id: p.instagram_business_account.id, username: p.instagram_business_account.username } : undefined,
      }));
    },

    /** `GET /{page-id}/subscribed_apps`. */
    listSubscribedApps(token: string, pageId: string): Promise<SubscribedApp[]> {
      return subscriptions.list(token, pageId);
    },

    /** `POST /{page-id}/subscribed_apps?subscribed_fields=`: a page needs the fields named. */
    subscribeApp(token: string, pageId: string, subscribedFields: readonly string[]): Promise<void> {
      return subscriptions.subscribe(token, pageId, { subscribedFields });
    },

    unsubscribeApp(token: string, pageId: string): Promise<void> {
      return subscriptions.unsubscribe(token, pageId);
    },

    /** A customer's name, username and picture, with the page token (sender-profile.ts). */
    async getSenderProfile(token: string, igsid: string): Promise<InstagramSenderProfile> {
      if (!IGSID.test(igsid)) throw new TypeError('IGSID must be 1-32 digits');
      return parseSenderProfile(await graph.json('getSenderProfile', 'GET', igsid, token, { query: { fields: SENDER_PROFILE_FIELDS } }));
    },

    /** `POST graph.facebook.com/{v}/me/messages` (or `/{page-id}/messages`) with the page token (reference §6.3). */
    async sendMessage(token: string, pageId: string | 'me', body: InstagramGraphBody): Promise<InstagramSendResult> {
      if (pageId !== 'me') checkId(pageId, 'page id');
      const json = await requestMetaSend(graph.http, { method: 'POST', url: graph.url(`${pageId}/messages`, token), token, json: body });
      return parseInstagramSendBody(json);
    },
  };
}

export type InstagramPagesApi = ReturnType<typeof createInstagramPagesApi>;
