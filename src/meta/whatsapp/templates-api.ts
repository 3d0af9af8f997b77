import { z } from 'zod';
import type { TemplateView } from '../../shared/templates.js';
import { MetaRequestError } from '../graph/errors.js';
import { checkId, expectSuccess, IdString, Paging, type GraphTransport } from '../graph/transport.js';
import { MetaTemplateRow, toTemplateView } from './template-shape.js';

/*
 * The Message Templates API of a WABA (Template management):
 *   GET    /{waba-id}/message_templates?fields=…   (cursor paging)
 *   POST   /{waba-id}/message_templates            {name, language, category, components, …} → {id, status, category}
 *   DELETE /{waba-id}/message_templates?name=…[&hsm_id=…]  (by name: every language; with hsm_id: that one)
 * https://developers.facebook.com/documentation/business-messaging/whatsapp/templates/template-management
 */

const FIELDS = 'id,name,language,status,category,parameter_format,components';
const ListBody = z.object({ data: z.array(z.unknown()), paging: Paging });
const CreatedBody = z.object({ id: IdString, status: z.string().optional(), category: z.string().optional() }).loose();

/** A template to create, in Meta's request shape (built by the API from DSK's body). */
export interface MetaTemplateCreate {
  name: string;
  language: string;
  category: string;
  parameter_format?: 'POSITIONAL' | 'NAMED';
  allow_category_change?: boolean;
  components: Array<Record<string, unknown>>;
}

export function createWhatsAppTemplatesApi(graph: GraphTransport) {
  return {
    /**
     * Every template of the WABA, following cursors. A row Meta sends in a shape we cannot read is
     * skipped rather than failing the whole list: the rest stays usable.
     */
    async list(token: string, wabaId: string): Promise<TemplateView[]> {
      checkId(wabaId, 'WABA id');
      const rows = await graph.listAll('listTemplates', `${wabaId}/message_templates`, token, { fields: FIELDS }, (json) => ListBody.safeParse(json).data);
      return rows.flatMap((row) => {
        const parsed = MetaTemplateRow.safeParse(row);
        return parsed.success ? [toTemplateView(parsed.data)] : [];
      });
    },

    /** Submits a template for review; Meta answers its id and first status (usually PENDING). */
    async create(token: string, wabaId: string, template: MetaTemplateCreate): Promise<{ id: string; status: string; category: string }> {
      checkId(wabaId, 'WABA id');
      const json = await graph.json('createTemplate', 'POST', `${wabaId}/message_templates`, token, { json: template });
      const parsed = CreatedBody.safeParse(json);
      if (!parsed.success) throw new MetaRequestError('createTemplate', 'invalid_response');
      return { id: parsed.data.id, status: (parsed.data.status ?? 'PENDING').toUpperCase(), category: (parsed.data.category ?? template.category).toUpperCase() };
    },

    /** Deletes every language of `name`, or only the template `templateId` (Meta's `hsm_id`) when given. */
    async delete(token: string, wabaId: string, name: string, templateId?: string): Promise<void> {
      checkId(wabaId, 'WABA id');
      if (templateId !== undefined) checkId(templateId, 'template id');
      const json = await graph.json('deleteTemplate', 'DELETE', `${wabaId}/message_templates`, token, { query: { name, hsm_id: templateId } });
      expectSuccess('deleteTemplate', json);
    },
  };
}

export type WhatsAppTemplatesApi = ReturnType<typeof createWhatsAppTemplatesApi>;
