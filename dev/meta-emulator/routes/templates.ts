import Router from '@koa/router';
import type Koa from 'koa';
import type { EmulatorContext } from '../context.js';
import type { TemplateRecord } from '../catalog-state.js';
import { authenticate, canAccess, GraphError, graphErrors, paginate, parseFields, pickFields, requestParams, requireScope, VERSION_SEGMENT } from '../graph.js';

/*
 * The Message Templates API of a WABA, as Meta documents it (Template management,
 * https://developers.facebook.com/documentation/business-messaging/whatsapp/templates/template-management):
 *   GET    /{waba-id}/message_templates   fields, cursor paging (`limit`, `after`), default fields as Meta's
 *   POST   /{waba-id}/message_templates   {name, language, category, components, parameter_format?} → {id, status: "PENDING", category}
 *   DELETE /{waba-id}/message_templates?name=…[&hsm_id=…]  by name: every language; with hsm_id: that template → {success: true}
 * A new template is reviewed a moment later (catalog-state.ts), which Meta announces with a
 * `message_template_status_update` webhook. Refusals (⚠ codes as seen in public integrations' error
 * handling, not on Meta's page): a name that is not lower case, digits and `_` → 100; the same name
 * and language again → 100/2388024 "Content in this language already exists"; deleting a name the
 * WABA does not have → 100/2593002 "Message template not found".
 */

const MANAGEMENT_SCOPE = 'whatsapp_business_management';
const DEFAULT_FIELDS = new Map<string, undefined>(['name', 'parameter_format', 'components', 'language', 'status', 'category', 'id'].map((f) => [f, undefined]));
const CATEGORIES = new Set(['MARKETING', 'UTILITY', 'AUTHENTICATION']);
const COMPONENT_TYPES = new Set(['HEADER', 'BODY', 'FOOTER', 'BUTTONS']);

function json(ctxValue: string | null): unknown {
  if (ctxValue === null) return undefined;
  try {
    return JSON.parse(ctxValue);
  } catch {
    return ctxValue;
  }
}

function templateJson(t: TemplateRecord): Record<string, unknown> {
  return { id: t.id, name: t.name, language: t.language, status: t.status, category: t.category, parameter_format: t.parameterFormat, components: t.components };
}

export function templateRoutes(emu: EmulatorContext): Router {
  const { state } = emu;
  const router = new Router();

  function wabaOf(ctx: Koa.Context & { params: Record<string, string> }): string | undefined {
    return VERSION_SEGMENT.test(ctx.params.version!) && state.wabas.has(ctx.params.id!) ? ctx.params.id : undefined;
  }

  function authorized(ctx: Koa.Context, wabaId: string): void {
    const record = authenticate(ctx, state);
    if (!canAccess(record, wabaId)) throw new GraphError(graphErrors.objectNotFound(ctx.method, wabaId));
    requireScope(record, MANAGEMENT_SCOPE);
  }

  router.get('/:version/:id/message_templates', async (ctx, next) => {
    const wabaId = wabaOf(ctx);
    if (!wabaId) return next();
    authorized(ctx, wabaId);
    const params = await requestParams(ctx);
    const fields = parseFields(params.get('fields')) ?? DEFAULT_FIELDS;
    const rows = [...state.catalog.templatesOf(wabaId).values()].map((t) => pickFields(templateJson(t), fields));
    ctx.body = paginate(ctx, rows, params);
  });

  router.post('/:version/:id/message_templates', async (ctx, next) => {
    const wabaId = wabaOf(ctx);
    if (!wabaId) return next();
    authorized(ctx, wabaId);
    const params = await requestParams(ctx);
    const name = params.get('name');
    const language = params.get('language');
    const category = params.get('category');
    if (name === null) throw new GraphError(graphErrors.missingParam('name'));
    if (!/^[a-z0-9_]{1,512}$/.test(name)) throw new GraphError(graphErrors.invalidParam('Param name must contain only lowercase characters, numbers and underscores'));
    if (language === null) throw new GraphError(graphErrors.missingParam('language'));
    if (category === null) throw new GraphError(graphErrors.missingParam('category'));
    if (!CATEGORIES.has(category)) throw new GraphError(graphErrors.invalidParam(`Param category must be one of {${[...CATEGORIES].join(', ')}} - got "${category}"`));
    const components = json(params.get('components'));
    if (!Array.isArray(components) || components.length === 0) throw new GraphError(graphErrors.missingParam('components'));
    for (const [i, c] of components.entries()) {
      const type = c && typeof c === 'object' ? String((c as Record<string, unknown>).type).toUpperCase() : '';
      if (!COMPONENT_TYPES.has(type)) throw new GraphError(graphErrors.invalidParam(`Param components[${i}][type] must be one of {${[...COMPONENT_TYPES].join(', ')}}`));
    }
    if (!components.some((c) => String((c as Record<string, unknown>).type).toUpperCase() === 'BODY')) throw new GraphError(graphErrors.invalidParam('A template needs a BODY component'));
    const templates = state.catalog.templatesOf(wabaId);
    if ([...templates.values()].some((t) => t.name === name && t.language === language)) {
      throw new GraphError({ code: 100, subcode: 2388024, message: 'Invalid parameter', errorData: { blame_field_specs: [['name']] } });
    }
    const format = params.get('parameter_format')?.toUpperCase() === 'NAMED' ? 'NAMED' : 'POSITIONAL';
    const record = state.catalog.addTemplate(wabaId, { name, language, category, status: 'PENDING', parameterFormat: format, components: components as Array<Record<string, unknown>> });
    state.catalog.submitted(record);
    ctx.body = { id: record.id, status: record.status, category: record.category };
  });

  router.delete('/:version/:id/message_templates', async (ctx, next) => {
    const wabaId = wabaOf(ctx);
    if (!wabaId) return next();
    authorized(ctx, wabaId);
    const params = await requestParams(ctx);
    const name = params.get('name');
    if (name === null) throw new GraphError(graphErrors.missingParam('name'));
    const hsmId = params.get('hsm_id');
    const templates = state.catalog.templatesOf(wabaId);
    const doomed = [...templates.values()].filter((t) => t.name === name && (hsmId === null || t.id === hsmId));
    if (doomed.length === 0) throw new GraphError({ code: 100, subcode: 2593002, message: 'Invalid parameter' });
    for (const t of doomed) templates.delete(t.id);
    ctx.body = { success: true };
  });

  return router;
}
