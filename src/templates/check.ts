import type { TemplateComponent, WhatsAppTemplate } from '../shared/outbound-request.js';
import { SENDABLE_TEMPLATE_STATUS, type TemplateComponentView, type TemplateView } from '../shared/templates.js';

/*
 * A template send checked against the template it names, before Meta is called: the template must
 * exist in that language and be APPROVED (else Meta refuses with 132001), and every component must
 * get exactly the parameters the template has variables for (else 132000), with a media header given
 * media of its format and a named template's parameters named. Each problem is a field-level detail
 * (`template.components[0].parameters`), the API's usual 422 shape.
 */

export interface CheckDetail {
  path: string;
  message: string;
}

const HEADER_PARAMETER_TYPE: Record<string, string> = { text: 'text', image: 'image', video: 'video', document: 'document', location: 'location' };

function describeCount(n: number): string {
  return n === 1 ? '1 parameter' : `${n} parameters`;
}

function parametersOf(c: TemplateComponent): Array<{ type: string; parameter_name?: string }> {
  return c.parameters as Array<{ type: string; parameter_name?: string }>;
}

/** The template component a sent component fills, or why there is none. */
function counterpart(template: TemplateView, sent: TemplateComponent): TemplateComponentView | string {
  if (sent.type === 'button') {
    const index = Number(sent.index);
    const button = template.components.find((c) => c.type === 'button' && c.index === index);
    if (!button || button.type !== 'button') return `the template has no button at index ${index}`;
    if (button.sub_type !== sent.sub_type) return `button ${index} of the template is ${button.sub_type}, not ${sent.sub_type}`;
    return button;
  }
  const own = template.components.find((c) => c.type === sent.type);
  return own ?? `the template has no ${sent.type}`;
}

function checkNames(view: TemplateComponentView, sent: TemplateComponent, path: string, named: boolean, out: CheckDetail[]): void {
  if (view.type !== 'header' && view.type !== 'body') return;
  const expected = view.parameter_names ?? [];
  parametersOf(sent).forEach((p, j) => {
    if (p.type === 'image' || p.type === 'video' || p.type === 'document') return;
    if (named && (p.parameter_name === undefined || !expected.includes(p.parameter_name))) {
      out.push({ path: `${path}.parameters[${j}].parameter_name`, message: `must name one of the template's parameters: ${expected.join(', ')}` });
    } else if (!named && p.parameter_name !== undefined) {
      out.push({ path: `${path}.parameters[${j}].parameter_name`, message: 'the template takes positional parameters, not named ones' });
    }
  });
}

/**
 * Problems of a send naming `request` against the templates of that name (every language): empty
 * when Meta would take it. `versions` are the WABA's templates called `request.name`.
 */
export function checkTemplateSend(versions: readonly TemplateView[], request: WhatsAppTemplate): CheckDetail[] {
  if (versions.length === 0) return [{ path: 'template.name', message: `no template named ${request.name} on this WhatsApp Business account` }];
  const template = versions.find((t) => t.language === request.language.code);
  if (!template) {
    const languages = versions.map((t) => t.language).join(', ');
    return [{ path: 'template.language.code', message: `template ${request.name} has no ${request.language.code} version (it has: ${languages})` }];
  }
  if (template.status !== SENDABLE_TEMPLATE_STATUS) {
    return [{ path: 'template.name', message: `template ${request.name} (${template.language}) is ${template.status}; only APPROVED templates can be sent` }];
  }

  const out: CheckDetail[] = [];
  const named = template.parameter_format === 'named';
  const sent = request.components ?? [];
  const filled = new Set<TemplateComponentView>();
  sent.forEach((component, i) => {
    const path = `template.components[${i}]`;
    const view = counterpart(template, component);
    if (typeof view === 'string') {
      out.push({ path: component.type === 'button' ? `${path}.index` : `${path}.type`, message: view });
      return;
    }
    filled.add(view);
    const given = component.parameters.length;
    // A quick-reply button's payload is optional: one may always be given.
    const allowed = view.type === 'button' && view.sub_type === 'quick_reply' ? given : view.parameter_count;
    if (given !== allowed) {
      out.push({ path: `${path}.parameters`, message: `the template's ${view.type === 'button' ? `button ${view.index}` : view.type} takes ${describeCount(view.parameter_count)}, ${given} given` });
      return;
    }
    if (view.type === 'header') {
      const expectedType = HEADER_PARAMETER_TYPE[view.format] ?? view.format;
      const first = parametersOf(component)[0];
      if (first && first.type !== expectedType) out.push({ path: `${path}.parameters[0].type`, message: `the template's header is ${view.format}: give a parameter of type ${expectedType}` });
    }
    checkNames(view, component, path, named, out);
  });
  for (const view of template.components) {
    if (view.parameter_count === 0 || filled.has(view)) continue;
    const what = view.type === 'button' ? `button ${view.index} (${view.sub_type})` : view.type;
    out.push({ path: 'template.components', message: `the template's ${what} takes ${describeCount(view.parameter_count)}; none given` });
  }
  return out;
}
