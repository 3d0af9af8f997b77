import { z } from 'zod';
import type { TemplateCreateComponent, TemplateCreateRequest, TemplateExamples, TemplateView } from '../../shared/templates.js';
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

/** Meta's `example` of a header or body: positional values, or values by parameter name. */
function exampleOf(kind: 'header' | 'body', examples: TemplateExamples | undefined): Record<string, unknown> | undefined {
  if (examples === undefined) return undefined;
  if (Array.isArray(examples)) return kind === 'header' ? { header_text: examples } : { body_text: [examples] };
  const named = Object.entries(examples).map(([param_name, example]) => ({ param_name, example }));
  return kind === 'header' ? { header_text_named_params: named } : { body_text_named_params: named };
}

function metaComponent(c: TemplateCreateComponent): Record<string, unknown> {
  switch (c.type) {
    case 'header': {
      const example = exampleOf('header', c.examples);
      return { type: 'HEADER', format: 'TEXT', text: c.text, ...(example ? { example } : {}) };
    }
    case 'body': {
      const example = exampleOf('body', c.examples);
      return { type: 'BODY', text: c.text, ...(example ? { example } : {}) };
    }
    case 'footer':
      return { type: 'FOOTER', text: c.text };
    case 'buttons':
      return {
        type: 'BUTTONS',
        buttons: c.buttons.map((b) => {
          if (b.type === 'quick_reply') return { type: 'QUICK_REPLY', text: b.text };
          if (b.type === 'url') return { type: 'URL', text: b.text, url: b.url, ...(b.example ? { example: [b.example] } : {}) };
          if (b.type === 'phone_number') return { type: 'PHONE_NUMBER', text: b.text, phone_number: b.phone_number };
          return { type: 'COPY_CODE', example: b.example };
        }),
      };
  }
}

/** DSK's template request in Meta's `POST /{waba-id}/message_templates` body. */
export function metaTemplateBody(request: TemplateCreateRequest): Record<string, unknown> {
  return {
    name: request.name,
    language: request.language,
    category: request.category,
    ...(request.parameter_format ? { parameter_format: request.parameter_format.toUpperCase() } : {}),
    ...(request.allow_category_change === undefined ? {} : { allow_category_change: request.allow_category_change }),
    components: request.components.map(metaComponent),
  };
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

    /** Submits a template for review; answers it as the service shows it, with Meta's id and first status (usually PENDING). */
    async create(token: string, wabaId: string, request: TemplateCreateRequest): Promise<TemplateView> {
      checkId(wabaId, 'WABA id');
      const body = metaTemplateBody(request);
      const json = await graph.json('createTemplate', 'POST', `${wabaId}/message_templates`, token, { json: body });
      const parsed = CreatedBody.safeParse(json);
      if (!parsed.success) throw new MetaRequestError('createTemplate', 'invalid_response');
      return toTemplateView({
        id: parsed.data.id,
        name: request.name,
        language: request.language,
        status: parsed.data.status ?? 'PENDING',
        category: parsed.data.category ?? request.category,
        parameter_format: body.parameter_format as string | undefined,
        components: body.components as MetaTemplateRow['components'],
      });
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
