import { activityInfo, log } from '@temporalio/activity';
import type { Channels } from '../db/channels.js';
import type { MediaCapture } from '../media/capture.js';
import type { SenderProfiles } from '../profiles/sender-profiles.js';
import { EVENT_EXTRAS_ATTEMPTS, type EventExtras, type EventExtrasRequest } from '../shared/event-extras.js';
import type { TemplateCatalog } from '../templates/catalog.js';

export interface EventExtrasDeps {
  capture: MediaCapture;
  profiles: SenderProfiles;
  templates: TemplateCatalog;
  channels: Pick<Channels, 'get'>;
}

/**
 * The inbound workflow's one step for issue #13's features (src/shared/event-extras.ts): the service
 * URL of each media item (capturing the bytes where Meta's link dies before the delivery horizon),
 * the Instagram sender's profile, and a template webhook applied to the template catalog. Nothing
 * here may keep an event from DSK: a profile or template failure is logged and left out, and a media
 * capture that keeps failing is left out on the last attempt.
 */
export function createEventExtrasActivities(deps: EventExtrasDeps) {
  return {
    async addEventExtras(request: EventExtrasRequest): Promise<EventExtras> {
      const lastAttempt = activityInfo().attempt >= EVENT_EXTRAS_ATTEMPTS;
      const extras: EventExtras = {};
      if (request.template) {
        try {
          const channel = await deps.channels.get(request.channelId);
          const outcome = await deps.templates.applyUpdate(request.template, channel);
          log.info('template webhook applied', { key: request.key, outcome });
        } catch (err) {
          log.warn('template webhook could not be applied', { key: request.key, errorName: err instanceof Error ? err.name : typeof err });
        }
      }
      if (request.senderId) {
        const profile = await deps.profiles.lookup(request.channelId, request.senderId);
        if (profile && Object.keys(profile).length > 0) extras.sender = profile;
      }
      // A capture that can still succeed throws TransientCaptureError: retried by the activity's policy.
      if (request.media) extras.media = await deps.capture.serviceUrls(request, lastAttempt);
      return extras;
    },
  };
}

export type EventExtrasActivities = ReturnType<typeof createEventExtrasActivities>;
