import { z } from 'zod';
import { MetaRequestError } from '../graph/errors.js';

/*
 * Instagram's user profile of a customer who wrote to the business (reference §5.3; Instagram
 * Messaging "User Profile API"): `GET /{igsid}?fields=name,username,profile_pic` with the channel's
 * token, on graph.facebook.com (page token) or graph.instagram.com (Instagram Login token). Meta
 * answers only for people who messaged the account, which is the consent the API rests on.
 */

export const SENDER_PROFILE_FIELDS = 'name,username,profile_pic';

/** IGSIDs are numeric. */
export const IGSID = /^\d{1,32}$/;

const ProfileBody = z
  .object({ name: z.string().max(1024).optional(), username: z.string().max(256).optional(), profile_pic: z.string().max(4096).optional() })
  .loose();

export interface InstagramSenderProfile {
  name?: string;
  username?: string;
  profilePicUrl?: string;
}

export function parseSenderProfile(json: unknown): InstagramSenderProfile {
  const parsed = ProfileBody.safeParse(json);
  if (!parsed.success) throw new MetaRequestError('getSenderProfile', 'invalid_response');
  const p = parsed.data;
  return { ...(p.name ? { name: p.name } : {}), ...(p.username ? { username: p.username } : {}), ...(p.profile_pic ? { profilePicUrl: p.profile_pic } : {}) };
}
