import { z } from 'zod';
import { variablesOf } from '../meta/whatsapp/template-shape.js';
import type { TemplateCreateRequest } from '../shared/templates.js';

/*
 * DSK's body for `POST /v1/channels/:id/templates`: a template in the send's vocabulary (lower-case
 * component types), turned into Meta's request by meta/whatsapp/templates-api.ts. Limits are Meta's
 * (Template management, "Create templates"): name ≤ 512, header text ≤ 60, body ≤ 1024, footer ≤ 60,
 * button text ≤ 25, at most 10 buttons. Headers are text only here: a media header needs an example
 * uploaded as a handle first, which is done in WhatsApp Manager.
 */

const name = z.string().regex(/^[a-z0-9_]{1,512}$/, 'must be lowercase letters, digits and underscores (at most 512)');
const language = z.string().regex(/^[a-z]{2,3}(_[A-Za-z]{2,4})?$/, 'must be a template language code such as en, en_US or pt_BR');
const exampleValue = z.string().min(1).max(1024);
const examples = z.union([z.array(exampleValue).min(1).max(100), z.record(z.string().regex(/^[a-z0-9_]{1,64}$/), exampleValue)]);

const header = z.strictObject({ type: z.literal('header'), format: z.literal('text'), text: z.string().min(1).max(60), examples: examples.optional() });
const body = z.strictObject({ type: z.literal('body'), text: z.string().min(1).max(1024), examples: examples.optional() });
const footer = z.strictObject({ type: z.literal('footer'), text: z.string().min(1).max(60) });
const buttonText = z.string().min(1).max(25);
const buttons = z.strictObject({
  type: z.literal('buttons'),
  buttons: z
    .array(
      z.discriminatedUnion('type', [
        z.strictObject({ type: z.literal('quick_reply'), text: buttonText }),
        z.strictObject({ type: z.literal('url'), text: buttonText, url: z.url({ protocol: /^https?$/ }).max(2000), example: z.string().min(1).max(2000).optional() }),
        z.strictObject({ type: z.literal('phone_number'), text: buttonText, phone_number: z.string().regex(/^\+?[0-9]{6,20}$/, 'must be a phone number') }),
        z.strictObject({ type: z.literal('copy_code'), example: z.string().min(1).max(15) }),
      ]),
    )
    .min(1)
    .max(10),
});

/** Variables and examples must agree: Meta refuses a template whose variables have no example. */
function checkExamples(component: { text: string; examples?: string[] | Record<string, string> | undefined }, named: boolean, ctx: z.core.$RefinementCtx, path: Array<string | number>): void {
  const vars = variablesOf(component.text);
  const positional = vars.every((v) => /^\d+$/.test(v));
  if (vars.length > 0 && named === positional) {
    ctx.addIssue({ code: 'custom', path: [...path, 'text'], message: named ? 'a named template uses variables like {{first_name}}' : 'a positional template uses variables {{1}}, {{2}}, …' });
    return;
  }
  if (positional && vars.some((v, i) => v !== String(i + 1))) {
    ctx.addIssue({ code: 'custom', path: [...path, 'text'], message: 'positional variables must be {{1}}, {{2}}, … in order' });
  }
  const given = component.examples;
  if (vars.length === 0) {
    if (given !== undefined) ctx.addIssue({ code: 'custom', path: [...path, 'examples'], message: 'the text has no variables to give examples for' });
    return;
  }
  const ok = named ? !Array.isArray(given) && given !== undefined && Object.keys(given).sort().join() === [...vars].sort().join() : Array.isArray(given) && given.length === vars.length;
  if (!ok) ctx.addIssue({ code: 'custom', path: [...path, 'examples'], message: `give one example for each variable: ${vars.map((v) => `{{${v}}}`).join(', ')}` });
}

export const TemplateCreateBody = z
  .strictObject({
    name,
    language,
    category: z.enum(['MARKETING', 'UTILITY', 'AUTHENTICATION']),
    parameter_format: z.enum(['positional', 'named']).optional(),
    allow_category_change: z.boolean().optional(),
    components: z.array(z.discriminatedUnion('type', [header, body, footer, buttons])).min(1).max(4),
  })
  .superRefine((t, ctx) => {
    const named = t.parameter_format === 'named';
    const seen = new Set<string>();
    t.components.forEach((c, i) => {
      if (seen.has(c.type)) ctx.addIssue({ code: 'custom', path: ['components', i, 'type'], message: `only one ${c.type} component is allowed` });
      seen.add(c.type);
      if (c.type === 'header' || c.type === 'body') checkExamples(c, named, ctx, ['components', i]);
    });
    if (!seen.has('body')) ctx.addIssue({ code: 'custom', path: ['components'], message: 'a template needs a body' });
  }) satisfies z.ZodType<TemplateCreateRequest>;
