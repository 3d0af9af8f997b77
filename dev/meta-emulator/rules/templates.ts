import type { TemplateRecord } from '../catalog-state.js';
import type { GraphErrorSpec } from '../graph.js';

/*
 * The emulator's own copy of how the Send API judges a template message (not imported from the
 * service, so that a wrong rule there shows up as a refusal here). Sources:
 * - WA-ERR (reference §7.2): 132001 "Template does not exist" (HTTP 404): the name does not exist in
 *   the language, or the template is not approved; 132000 "Number of parameters does not match the
 *   expected number of params"; 132015/132016 for paused/disabled templates.
 * - The `error_data.details` texts as Meta sends them, quoted in public issues
 *   (tawn33y/whatsapp-cloud-api#57: "template name (cg_quest_text) does not exist in en_US").
 */

const VARIABLE = /\{\{\s*([a-z0-9_]+)\s*\}\}/g;

function variables(text: unknown): number {
  return typeof text === 'string' ? new Set([...text.matchAll(VARIABLE)].map((m) => m[1])).size : 0;
}

/** Parameters each part of the template expects: header, body, and buttons by index. */
function expected(template: TemplateRecord): { header: number; body: number; buttons: Map<number, { type: string; count: number }> } {
  let header = 0;
  let body = 0;
  const buttons = new Map<number, { type: string; count: number }>();
  for (const c of template.components) {
    const type = String(c.type).toUpperCase();
    if (type === 'HEADER') header = String(c.format ?? 'TEXT').toUpperCase() === 'TEXT' ? variables(c.text) : 1;
    else if (type === 'BODY') body = variables(c.text);
    else if (type === 'BUTTONS' && Array.isArray(c.buttons)) {
      c.buttons.forEach((b: Record<string, unknown>, i: number) => {
        const bType = String(b.type).toUpperCase();
        buttons.set(i, { type: bType, count: bType === 'URL' ? Math.min(variables(b.url), 1) : bType === 'COPY_CODE' ? 1 : 0 });
      });
    }
  }
  return { header, body, buttons };
}

const wa = (details: string) => ({ messaging_product: 'whatsapp', details });

function notFound(name: string, language: string): GraphErrorSpec {
  return { code: 132001, message: '(#132001) Template name does not exist in the translation', errorData: wa(`template name (${name}) does not exist in ${language}`) };
}

function countMismatch(part: string, given: number, want: number): GraphErrorSpec {
  return {
    code: 132000,
    message: '(#132000) Number of parameters does not match the expected number of params',
    errorData: wa(`${part}: number of localizable_params (${given}) does not match the expected number of params (${want})`),
  };
}

/** Meta's refusal of a template send, or undefined when Meta takes it. `template` is the request's `template` object, already shape-checked. */
export function templateSendRefusal(templates: Iterable<TemplateRecord>, template: Record<string, unknown>): GraphErrorSpec | undefined {
  const name = String(template.name);
  const language = String((template.language as Record<string, unknown>).code);
  const record = [...templates].find((t) => t.name === name && t.language === language);
  if (!record) return notFound(name, language);
  if (record.status === 'PAUSED') return { code: 132015, message: '(#132015) Template is paused', errorData: wa(`template ${name} is paused`) };
  if (record.status === 'DISABLED') return { code: 132016, message: '(#132016) Template is disabled', errorData: wa(`template ${name} is disabled`) };
  if (record.status !== 'APPROVED') return notFound(name, language);

  const want = expected(record);
  const components = (Array.isArray(template.components) ? template.components : []) as Array<Record<string, unknown>>;
  const given = (type: string) => components.filter((c) => c.type === type).reduce((n, c) => n + (Array.isArray(c.parameters) ? c.parameters.length : 0), 0);
  if (given('header') !== want.header) return countMismatch('header', given('header'), want.header);
  if (given('body') !== want.body) return countMismatch('body', given('body'), want.body);
  for (const c of components.filter((c) => c.type === 'button')) {
    const button = want.buttons.get(Number(c.index));
    const count = Array.isArray(c.parameters) ? c.parameters.length : 0;
    if (!button) return countMismatch(`button ${String(c.index)}`, count, 0);
    // A quick reply's payload is optional.
    if (button.type !== 'QUICK_REPLY' && count !== button.count) return countMismatch(`button ${String(c.index)}`, count, button.count);
  }
  for (const [index, button] of want.buttons) {
    if (button.count > 0 && !components.some((c) => c.type === 'button' && Number(c.index) === index)) return countMismatch(`button ${index}`, 0, button.count);
  }
  return undefined;
}
