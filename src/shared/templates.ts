/**
 * WhatsApp message templates as the service keeps and shows them: Meta's template normalized to the
 * shapes a template send uses (lower-case component types, buttons by index), each component with
 * the number of parameters a send must give it. Plain data: the API, the template catalog and the
 * inbound workflow's template updates share it.
 */

export type TemplateParameterFormat = 'positional' | 'named';

/**
 * One component of a template. `parameter_count` is what a send must supply: a header's media or
 * its one text variable, the body's variables, a URL button's dynamic suffix, a copy-code button's
 * code. Quick-reply buttons take an optional payload, so their count is 0.
 */
export type TemplateComponentView =
  | { type: 'header'; format: string; text?: string; parameter_count: number; parameter_names?: string[] }
  | { type: 'body'; text: string; parameter_count: number; parameter_names?: string[] }
  | { type: 'footer'; text: string; parameter_count: 0 }
  | { type: 'button'; index: number; sub_type: string; text?: string; url?: string; phone_number?: string; parameter_count: number };

/** A template of a WhatsApp Business account as DSK sees it (`GET /v1/channels/:id/templates`). */
export interface TemplateView {
  id: string;
  name: string;
  language: string;
  /** MARKETING, UTILITY, AUTHENTICATION. */
  category: string;
  /** APPROVED, PENDING, REJECTED, PAUSED, DISABLED, IN_APPEAL, …; only APPROVED templates can be sent. */
  status: string;
  parameter_format: TemplateParameterFormat;
  components: TemplateComponentView[];
}

/** What a template webhook changes: the template (by id, or by name and language) and its new status and/or category. */
export interface TemplateUpdate {
  wabaId: string;
  templateId?: string;
  name?: string;
  language?: string;
  status?: string;
  category?: string;
}

/** Template statuses a send may name. */
export const SENDABLE_TEMPLATE_STATUS = 'APPROVED';

/** Example values of a template's variables: in order (positional), or by name (named). */
export type TemplateExamples = string[] | Record<string, string>;

export type TemplateCreateComponent =
  | { type: 'header'; format: 'text'; text: string; examples?: TemplateExamples }
  | { type: 'body'; text: string; examples?: TemplateExamples }
  | { type: 'footer'; text: string }
  | {
      type: 'buttons';
      buttons: Array<
        | { type: 'quick_reply'; text: string }
        | { type: 'url'; text: string; url: string; example?: string }
        | { type: 'phone_number'; text: string; phone_number: string }
        | { type: 'copy_code'; example: string }
      >;
    };

/** A template DSK asks to create (`POST /v1/channels/:id/templates`); Meta reviews it. */
export interface TemplateCreateRequest {
  name: string;
  language: string;
  category: 'MARKETING' | 'UTILITY' | 'AUTHENTICATION';
  parameter_format?: TemplateParameterFormat;
  allow_category_change?: boolean;
  components: TemplateCreateComponent[];
}
