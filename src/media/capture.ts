import { createHash } from 'node:crypto';
import type { Channels } from '../db/channels.js';
import type { Logger } from '../logger.js';
import type { ChannelAdapters } from '../meta/channel-adapter.js';
import { MetaApiError, MetaRequestError } from '../meta/graph/errors.js';
import type { EventExtrasRequest, MediaItemRef } from '../shared/event-extras.js';
import type { TokenVault } from '../vault/token-vault.js';
import type { MediaStore } from './store.js';

/*
 * Which inbound media the service captures, and the service URL DSK fetches each item from.
 *
 * DSK's deliveries are retried for DSK_DELIVERY_HORIZON (7 days by default), so every media item must
 * stay fetchable that long. Per channel kind:
 * - Instagram attachment URLs are signed CDN links that expire (reference §3.2, docs/meta-behaviours.md
 *   I8): captured when the event arrives, always.
 * - WhatsApp media ids live 7 days (reference §6.2) and the service resolves them on request (the
 *   short-lived download URL is fetched then), so with a horizon of at most 7 days nothing is copied:
 *   the bytes go from Meta to DSK only when DSK asks. A longer horizon would outlive the id, so the
 *   media is then captured like Instagram's.
 * Captured media is kept for the horizon plus a day's grace (a delivery at the horizon's last moment
 * still leaves DSK time to fetch), or until DSK acknowledges it.
 */

export const WHATSAPP_MEDIA_ID_LIFETIME_MS = 7 * 24 * 60 * 60 * 1000;
export const CAPTURE_GRACE_MS = 24 * 60 * 60 * 1000;

export interface MediaCaptureDeps {
  store: MediaStore;
  adapters: ChannelAdapters;
  channels: Pick<Channels, 'get' | 'tokenCiphertext'>;
  vault: TokenVault;
  publicBaseUrl: string;
  horizonMs: number;
  log: Pick<Logger, 'info' | 'warn'>;
}

/** The id a captured Instagram attachment is served under: derived from the event, so a retried capture finds its own. */
export function attachmentMediaId(eventKey: string, index: number): string {
  return `ig${createHash('sha256').update(`${eventKey}\u0000${index}`).digest('base64url').slice(0, 32)}`;
}

export function serviceMediaUrl(publicBaseUrl: string, channelId: string, mediaId: string): string {
  return `${publicBaseUrl}/v1/channels/${channelId}/media/${encodeURIComponent(mediaId)}`;
}

/** A capture that failed for a reason a later attempt can overcome: the extras activity retries. */
export class TransientCaptureError extends Error {
  override readonly name = 'TransientCaptureError';
}

/** Meta says whether repeating can help; our own store failing (PostgreSQL, S3) is worth another try; a TypeError is a state no retry changes. */
function isTransient(err: unknown): boolean {
  if (err instanceof MetaApiError || err instanceof MetaRequestError) return err.isTransient;
  return !(err instanceof TypeError);
}

export function createMediaCapture(deps: MediaCaptureDeps) {
  const captureWhatsApp = deps.horizonMs > WHATSAPP_MEDIA_ID_LIFETIME_MS;

  function mediaIdOf(request: EventExtrasRequest, item: MediaItemRef): string | undefined {
    return request.channelType === 'whatsapp' ? item.id : attachmentMediaId(request.key, item.index);
  }

  return {
    /** Whether items of this kind are copied (else served from Meta on request). */
    captures(channelType: 'whatsapp' | 'instagram'): boolean {
      return channelType === 'instagram' || captureWhatsApp;
    },

    /**
     * The service URL of each media item of the event, capturing the bytes where Meta's own link dies
     * before the horizon. An item that cannot be captured for good (gone at Meta, refused) gets no URL;
     * a transient failure throws TransientCaptureError unless `lastAttempt`, when the item is left out.
     */
    async serviceUrls(request: EventExtrasRequest, lastAttempt: boolean): Promise<Array<{ index: number; service_url: string }>> {
      const items = request.media ?? [];
      if (items.length === 0) return [];
      const out: Array<{ index: number; service_url: string }> = [];
      const copy = request.channelType === 'instagram' || captureWhatsApp;
      const channel = copy ? await deps.channels.get(request.channelId) : undefined;
      let transient = false;
      for (const item of items) {
        const mediaId = mediaIdOf(request, item);
        if (!mediaId) continue;
        const url = serviceMediaUrl(deps.publicBaseUrl, request.channelId, mediaId);
        if (!copy || (await deps.store.has(request.channelId, mediaId))) {
          out.push({ index: item.index, service_url: url });
          continue;
        }
        try {
          const ciphertext = await deps.channels.tokenCiphertext(request.channelId);
          if (!channel || (request.channelType === 'whatsapp' && ciphertext === null)) throw new TypeError('the channel has no token to fetch media with');
          const token = ciphertext === null ? '' : deps.vault.decrypt(ciphertext);
          const content = await deps.adapters[request.channelType].fetchInboundMedia(token, channel, item);
          const expiresAt = new Date(Date.parse(request.receivedAt) + deps.horizonMs + CAPTURE_GRACE_MS);
          const { sizeBytes } = await deps.store.capture({
            channelId: request.channelId,
            mediaId,
            instanceId: request.instanceId,
            mimeType: item.mimeType ?? content.mimeType,
            expiresAt,
            source: content.stream,
          });
          deps.log.info({ key: request.key, channelId: request.channelId, index: item.index, sizeBytes, backend: deps.store.backend }, 'inbound media captured');
          out.push({ index: item.index, service_url: url });
        } catch (err) {
          const errorName = err instanceof Error ? err.name : typeof err;
          const reason = err instanceof MetaRequestError ? err.reason : err instanceof MetaApiError ? `meta_${err.code ?? err.httpStatus}` : undefined;
          deps.log.warn({ key: request.key, channelId: request.channelId, index: item.index, errorName, reason, lastAttempt }, 'inbound media capture failed');
          if (isTransient(err)) transient = true;
        }
      }
      if (transient && !lastAttempt) throw new TransientCaptureError('an inbound media item could not be captured yet');
      return out;
    },
  };
}

export type MediaCapture = ReturnType<typeof createMediaCapture>;
