import type { ChannelRow, Channels } from '../db/channels.js';
import type { MessageTemplates } from '../db/message-templates.js';
import type { Logger } from '../logger.js';
import type { ChannelAdapters } from '../meta/channel-adapter.js';
import type { WhatsAppTemplate } from '../shared/outbound-request.js';
import type { TemplateCreateRequest, TemplateUpdate, TemplateView } from '../shared/templates.js';
import type { TokenVault } from '../vault/token-vault.js';
import { checkTemplateSend, type CheckDetail } from './check.js';

/*
 * A WhatsApp channel's templates: the WABA's set in `message_templates`, read from Meta in full (on
 * connect, daily by the connection workflow, and once on demand when a WABA was never read), kept
 * current by template webhooks, and changed at Meta through create and delete.
 */

export type TemplateChannel = Pick<ChannelRow, 'id' | 'channelType' | 'externalId' | 'wabaId' | 'pageId'>;

export interface TemplateCatalogDeps {
  templates: MessageTemplates;
  adapters: ChannelAdapters;
  channels: Pick<Channels, 'tokenCiphertext'>;
  vault: TokenVault;
  clock: () => Date;
  log: Pick<Logger, 'info' | 'warn'>;
}

/** What a template send check concluded. */
export type TemplateCheck = { outcome: 'ok' } | { outcome: 'refused'; details: CheckDetail[] } | { outcome: 'unchecked'; reason: string };

export function createTemplateCatalog(deps: TemplateCatalogDeps) {
  async function tokenOf(channel: TemplateChannel): Promise<string> {
    const ciphertext = await deps.channels.tokenCiphertext(channel.id);
    if (ciphertext === null) throw new TypeError('the channel holds no token');
    return deps.vault.decrypt(ciphertext);
  }

  function templatesApi(channel: TemplateChannel) {
    const api = deps.adapters[channel.channelType].templates;
    if (!api || !channel.wabaId) throw new TypeError('only WhatsApp channels of a WABA have templates');
    return { api, wabaId: channel.wabaId };
  }

  async function sync(channel: TemplateChannel): Promise<number> {
    const { api, wabaId } = templatesApi(channel);
    const templates = await api.list(await tokenOf(channel), channel);
    await deps.templates.replaceAll(wabaId, templates, deps.clock());
    deps.log.info({ channelId: channel.id, templates: templates.length }, 'templates synced from Meta');
    return templates.length;
  }

  /** Whether the channel has templates at all (a WhatsApp channel of a WABA). */
  function applies(channel: TemplateChannel): boolean {
    return channel.channelType === 'whatsapp' && channel.wabaId !== null && deps.adapters[channel.channelType].templates !== undefined;
  }

  return {
    applies,

    /** Reads the WABA's templates from Meta and replaces the stored set. Throws what Meta threw. */
    sync,

    /** Syncs once when the WABA was never read. Throws what Meta threw. */
    async ensureSynced(channel: TemplateChannel): Promise<void> {
      const { wabaId } = templatesApi(channel);
      if ((await deps.templates.syncedAt(wabaId)) === null) await sync(channel);
    },

    async list(channel: TemplateChannel, page: { limit: number; after?: { name: string; language: string }; status?: string; name?: string }): Promise<TemplateView[]> {
      const { wabaId } = templatesApi(channel);
      return deps.templates.list(wabaId, page);
    },

    /**
     * Checks a template send. A WABA never read is synced first; if Meta cannot be asked right now the
     * send is let through unchecked (Meta checks it again itself), so a hiccup of the management API
     * never blocks messaging.
     */
    async checkSend(channel: TemplateChannel, template: WhatsAppTemplate): Promise<TemplateCheck> {
      if (!applies(channel)) return { outcome: 'unchecked', reason: 'no_waba' };
      const { wabaId } = templatesApi(channel);
      if ((await deps.templates.syncedAt(wabaId)) === null) {
        try {
          await sync(channel);
        } catch (err) {
          deps.log.warn({ channelId: channel.id, errorName: err instanceof Error ? err.name : typeof err }, 'templates could not be synced; the send goes unchecked');
          return { outcome: 'unchecked', reason: 'sync_failed' };
        }
      }
      const details = checkTemplateSend(await deps.templates.byName(wabaId, template.name), template);
      return details.length === 0 ? { outcome: 'ok' } : { outcome: 'refused', details };
    },

    /** Creates the template at Meta and records it with the status Meta answered. */
    async create(channel: TemplateChannel, request: TemplateCreateRequest): Promise<TemplateView> {
      const { api, wabaId } = templatesApi(channel);
      const view = await api.create(await tokenOf(channel), channel, request);
      await deps.templates.upsert(wabaId, view, deps.clock());
      return view;
    },

    /** Deletes at Meta (every language, or one template), then here. Returns how many stored templates went. */
    async delete(channel: TemplateChannel, name: string, templateId?: string): Promise<number> {
      const { api, wabaId } = templatesApi(channel);
      await api.delete(await tokenOf(channel), channel, name, templateId);
      return deps.templates.remove(wabaId, name, templateId);
    },

    /**
     * A template webhook: the status or category of a known template is updated; a template we do
     * not know (made in WhatsApp Manager since the last sync) makes the set stale, and it is read
     * again now when `channel` can (else at the next list, send or daily sync).
     */
    async applyUpdate(update: TemplateUpdate, channel: TemplateChannel | undefined): Promise<'updated' | 'resynced' | 'stale'> {
      if ((await deps.templates.applyUpdate(update, deps.clock())) > 0) return 'updated';
      await deps.templates.markStale(update.wabaId);
      if (!channel || !applies(channel)) return 'stale';
      try {
        await sync(channel);
        return 'resynced';
      } catch (err) {
        deps.log.warn({ channelId: channel.id, errorName: err instanceof Error ? err.name : typeof err }, 'templates could not be re-read after a webhook');
        return 'stale';
      }
    },
  };
}

export type TemplateCatalog = ReturnType<typeof createTemplateCatalog>;
