import { log } from '@temporalio/activity';
import type { Channels } from '../db/channels.js';
import type { TemplateCatalog } from '../templates/catalog.js';
import { toActivityFailure } from './failures.js';

export interface TemplateActivityDeps {
  templates: TemplateCatalog;
  channels: Pick<Channels, 'get'>;
}

/** The connection workflow's daily template sync (and the first one on connect). */
export function createTemplateActivities(deps: TemplateActivityDeps) {
  return {
    /** Re-reads the WABA's templates from Meta; a channel without templates (Instagram) is a no-op. Returns how many there are. */
    async syncChannelTemplates(input: { channelId: string }): Promise<{ templates: number | null }> {
      const channel = await deps.channels.get(input.channelId);
      if (!channel || channel.status === 'disconnected' || !deps.templates.applies(channel)) return { templates: null };
      try {
        return { templates: await deps.templates.sync(channel) };
      } catch (err) {
        log.warn('template sync failed', { channelId: input.channelId, errorName: err instanceof Error ? err.name : typeof err });
        throw toActivityFailure(err);
      }
    },
  };
}

export type TemplateActivities = ReturnType<typeof createTemplateActivities>;
