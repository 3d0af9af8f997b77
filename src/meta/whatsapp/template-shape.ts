import { z } from 'zod';
import type { TemplateComponentView, TemplateParameterFormat, TemplateView } from '../../shared/templates.js';
import { IdString } from '../graph/transport.js';

/*
 * Meta's message-template object (Template management, "Get templates": `name`, `language`,
 * `category`, `status`, `parameter_format`, `components` with upper-case `type`s HEADER / BODY /
 * FOOTER / BUTTONS) normalized into the service's TemplateView: lower-case component types as a send
 * names them, each button with its index, and how many parameters a send must give each component.
 * https://developers.facebook.com/documentation/business-messaging/whatsapp/templates/template-management
 */

const ButtonRow = z
  .object({ type: z.string(), text: z.string().optional(), url: z.string().optional(), phone_number: z.string().optional(), otp_type: z.string().optional() })
  .loose();
const ComponentRow = z
  .object({ type: z.string(), format: z.string().optional(), text: z.string().optional(), buttons: z.array(ButtonRow).optional() })
  .loose();

export const MetaTemplateRow = z
  .object({
    id: IdString,
    name: z.string().min(1).max(512),
    language: z.string().min(1).max(20),
    status: z.string().min(1).max(64),
    category: z.string().min(1).max(64),
    parameter_format: z.string().optional(),
    components: z.array(ComponentRow).default([]),
  })
  .loose();
export type MetaTemplateRow = z.infer<typeof MetaTemplateRow>;

/** `{{1}}` or `{{name}}`: Meta's variables, positional (digits) or named (lower case, digits, `_`). */
const VARIABLE = /\{\{\s*([a-z0-9_]+)\s*\}\}/g;

/** The distinct variables of a text, in order of first use. */
export function variablesOf(text: string | undefined): string[] {
  if (!text) return [];
  return [...new Set([...text.matchAll(VARIABLE)].map((m) => m[1]!))];
}

/** Buttons a send must fill: a URL with a variable (its suffix), a copy-code or one-time-password code. */
function buttonParameterCount(button: z.infer<typeof ButtonRow>, subType: string): number {
  if (subType === 'url') return variablesOf(button.url).length > 0 ? 1 : 0;
  if (subType === 'copy_code' || subType === 'otp') return 1;
  return 0;
}

/** Meta's button `type` (QUICK_REPLY, URL, PHONE_NUMBER, COPY_CODE, OTP, FLOW, CATALOG, MPM, …) as the send's `sub_type`. */
function subTypeOf(type: string): string {
  return type.toLowerCase();
}

export function normalizeComponents(rows: MetaTemplateRow['components'], named: boolean): TemplateComponentView[] {
  const out: TemplateComponentView[] = [];
  let buttonIndex = 0;
  const names = (vars: string[]) => (named && vars.length > 0 ? { parameter_names: vars } : {});
  for (const row of rows) {
    const type = row.type.toUpperCase();
    if (type === 'HEADER') {
      const format = (row.format ?? 'TEXT').toLowerCase();
      const vars = format === 'text' ? variablesOf(row.text) : [];
      out.push({ type: 'header', format, ...(row.text !== undefined ? { text: row.text } : {}), parameter_count: format === 'text' ? vars.length : 1, ...names(vars) });
    } else if (type === 'BODY') {
      const vars = variablesOf(row.text);
      out.push({ type: 'body', text: row.text ?? '', parameter_count: vars.length, ...names(vars) });
    } else if (type === 'FOOTER') {
      out.push({ type: 'footer', text: row.text ?? '', parameter_count: 0 });
    } else if (type === 'BUTTONS') {
      for (const button of row.buttons ?? []) {
        const subType = subTypeOf(button.type);
        out.push({
          type: 'button',
          index: buttonIndex,
          sub_type: subType,
          ...(button.text !== undefined ? { text: button.text } : {}),
          ...(button.url !== undefined ? { url: button.url } : {}),
          ...(button.phone_number !== undefined ? { phone_number: button.phone_number } : {}),
          parameter_count: buttonParameterCount(button, subType),
        });
        buttonIndex += 1;
      }
    }
    // Carousels and limited-time offers are kept out of the view: the send schema does not offer them.
  }
  return out;
}

/** One Meta template as the service keeps it. */
export function toTemplateView(row: MetaTemplateRow): TemplateView {
  const format: TemplateParameterFormat = row.parameter_format?.toUpperCase() === 'NAMED' ? 'named' : 'positional';
  return {
    id: row.id,
    name: row.name,
    language: row.language,
    category: row.category.toUpperCase(),
    status: row.status.toUpperCase(),
    parameter_format: format,
    components: normalizeComponents(row.components, format === 'named'),
  };
}
