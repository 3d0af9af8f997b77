import { z } from 'zod';
import { MetaRequestError } from '../graph/errors.js';
import { uploadForHandle, type ResumableFile } from '../graph/resumable-upload.js';
import { checkId, expectSuccess, type GraphTransport } from '../graph/transport.js';

/*
 * A WhatsApp number's business profile (Business profiles):
 *   GET  /{phone-number-id}/whatsapp_business_profile?fields=about,address,description,email,profile_picture_url,websites,vertical
 *        → {data: [{…, messaging_product: "whatsapp"}]}
 *   POST /{phone-number-id}/whatsapp_business_profile  {messaging_product: "whatsapp", about?, …, profile_picture_handle?} → {success: true}
 * https://developers.facebook.com/documentation/business-messaging/whatsapp/business-profiles/
 * A profile photo is set by a handle from the Resumable Upload API (graph/resumable-upload.ts).
 */

const FIELDS = 'about,address,description,email,profile_picture_url,websites,vertical';

export interface BusinessProfile {
  about: string | null;
  address: string | null;
  description: string | null;
  email: string | null;
  profile_picture_url: string | null;
  websites: string[];
  vertical: string | null;
}

/** What an update may change; absent fields stay as they are at Meta. */
export interface BusinessProfileUpdate {
  about?: string;
  address?: string;
  description?: string;
  email?: string;
  websites?: string[];
  vertical?: string;
  profile_picture_handle?: string;
}

const ProfileRow = z
  .object({
    about: z.string().optional(),
    address: z.string().optional(),
    description: z.string().optional(),
    email: z.string().optional(),
    profile_picture_url: z.string().optional(),
    websites: z.array(z.string()).optional(),
    vertical: z.string().optional(),
  })
  .loose();
const ProfileBody = z.object({ data: z.array(ProfileRow).min(1) }).loose();

export function createWhatsAppBusinessProfileApi(graph: GraphTransport, app: { appId: string | undefined }) {
  return {
    async get(token: string, phoneNumberId: string): Promise<BusinessProfile> {
      checkId(phoneNumberId, 'phone number id');
      const json = await graph.json('getBusinessProfile', 'GET', `${phoneNumberId}/whatsapp_business_profile`, token, { query: { fields: FIELDS } });
      const parsed = ProfileBody.safeParse(json);
      if (!parsed.success) throw new MetaRequestError('getBusinessProfile', 'invalid_response');
      const p = parsed.data.data[0]!;
      return {
        about: p.about ?? null,
        address: p.address ?? null,
        description: p.description ?? null,
        email: p.email ?? null,
        profile_picture_url: p.profile_picture_url ?? null,
        websites: p.websites ?? [],
        vertical: p.vertical ?? null,
      };
    },

    async update(token: string, phoneNumberId: string, update: BusinessProfileUpdate): Promise<void> {
      checkId(phoneNumberId, 'phone number id');
      const json = await graph.json('updateBusinessProfile', 'POST', `${phoneNumberId}/whatsapp_business_profile`, token, {
        json: { messaging_product: 'whatsapp', ...update },
      });
      expectSuccess('updateBusinessProfile', json);
    },

    /** The photo's handle from the Resumable Upload API, under the Meta app (META_APP_ID). */
    async uploadPhoto(token: string, file: ResumableFile): Promise<string> {
      // WhatsApp channels exist only through Embedded Signup, which needs the app: a wiring bug otherwise.
      if (!app.appId) throw new TypeError('a profile photo upload needs the Meta app id (META_APP_ID)');
      return uploadForHandle(graph, token, app.appId, file);
    },
  };
}

export type WhatsAppBusinessProfileApi = ReturnType<typeof createWhatsAppBusinessProfileApi>;
