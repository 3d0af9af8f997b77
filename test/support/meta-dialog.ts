import assert from 'node:assert/strict';

/** Where Meta's dialog sent the browser back to. */
export interface DialogRedirect {
  location: URL;
  /** Query parameters of the redirect (`code`, `state`, or `error`, `error_reason`, …). */
  params: URLSearchParams;
  /** Instagram appends `#_`. */
  hash: string;
}

export interface ConsentPage {
  html: string;
  /** Absolute URL the form posts to. */
  action: string;
  hidden: Array<[string, string]>;
  /** Checkbox values (asset ids) and whether they are ticked. */
  assets: Array<{ id: string; checked: boolean }>;
}

const unescape = (text: string) => text.replace(/&#(\d+);/g, (_, n: string) => String.fromCharCode(Number(n))).replace(/&amp;/g, '&');

/** GETs an emulated OAuth dialog and reads its consent form, as a browser would see it. */
export async function openConsentPage(dialogUrl: string): Promise<ConsentPage> {
  const res = await fetch(dialogUrl, { redirect: 'manual' });
  const html = await res.text();
  assert.equal(res.status, 200, `dialog answered ${res.status}: ${html.slice(0, 300)}`);
  assert.match(res.headers.get('content-type') ?? '', /^text\/html/);
  const form = /<form method="post" action="([^"]*)">/.exec(html);
  assert.ok(form, 'the consent page has a POST form');
  const hidden = [...html.matchAll(/<input type="hidden" name="([^"]*)" value="([^"]*)">/g)].map((m) => [unescape(m[1]!), unescape(m[2]!)] as [string, string]);
  const assets = [...html.matchAll(/<input type="checkbox" name="asset" value="([^"]*)"( checked)?>/g)].map((m) => ({ id: unescape(m[1]!), checked: m[2] !== undefined }));
  return { html, action: new URL(unescape(form[1]!), dialogUrl).toString(), hidden, assets };
}

/**
 * Opens the dialog and submits its form with Continue or Cancel, like a person clicking the button.
 * `assets` replaces the ticked checkboxes. Returns the redirect Meta answered with.
 */
export async function submitConsent(dialogUrl: string, opts: { decision?: 'continue' | 'cancel'; assets?: string[] } = {}): Promise<DialogRedirect> {
  const page = await openConsentPage(dialogUrl);
  const body = new URLSearchParams(page.hidden);
  for (const id of opts.assets ?? page.assets.filter((a) => a.checked).map((a) => a.id)) body.append('asset', id);
  body.set('decision', opts.decision ?? 'continue');
  const res = await fetch(page.action, { method: 'POST', body, redirect: 'manual' });
  assert.equal(res.status, 302, `consent answered ${res.status}: ${(await res.text()).slice(0, 300)}`);
  const location = new URL(res.headers.get('location')!);
  return { location, params: location.searchParams, hash: location.hash };
}

/** The code from an approved dialog. */
export async function authorize(dialogUrl: string, opts: { assets?: string[] } = {}): Promise<string> {
  const redirect = await submitConsent(dialogUrl, { decision: 'continue', ...opts });
  const code = redirect.params.get('code');
  assert.ok(code, `no code in the redirect: ${redirect.params.get('error') ?? ''}`);
  return code;
}
