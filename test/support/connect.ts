import assert from 'node:assert/strict';
import { CONNECT_COOKIE } from '../../src/api/routes/connect-pages.js';
import { submitConsent } from './meta-dialog.js';
import type { TestService } from './service.js';

export interface ApiConnectResult {
  connectionId: string;
  /** The outcome page's status and HTML. */
  status: number;
  html: string;
  channelId?: string;
}

/** Calls a DSK endpoint as `instanceId`. */
export async function dskApi(service: TestService, instanceId: string, method: string, urlPath: string, body?: unknown) {
  const token = await service.dskIssuer.dskToken({ instanceId });
  const res = await fetch(`${service.baseUrl}${urlPath}`, {
    method,
    headers: { authorization: `Bearer ${token}`, ...(body ? { 'content-type': 'application/json' } : {}) },
    ...(body ? { body: JSON.stringify(body) } : {}),
  });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

/**
 * The connect flow without a browser: create the connection, open the connect page (which sets the
 * cookie and mints the state), submit the emulator's consent form, and follow Meta's redirect to the
 * callback with the cookie, as a browser would.
 */
export async function connectViaApi(
  service: TestService,
  instanceId: string,
  channelType: 'whatsapp' | 'instagram',
  options: {
    decision?: 'continue' | 'cancel';
    flow?: string;
    chooseAsset?: string;
    /** PINs typed, one after the other, while the page asks for the number's two-step verification PIN. */
    pins?: string[];
    /** Every page the flow showed, in order (callback, choice, PIN pages). */
    pages?: string[];
  } = {},
): Promise<ApiConnectResult> {
  const created = await dskApi(service, instanceId, 'POST', '/v1/connections', {
    channel_type: channelType,
    return_url: 'https://dsk.example.test/return',
    ...(options.flow ? { flow: options.flow } : {}),
  });
  assert.equal(created.status, 201, JSON.stringify(created.body));
  const connectionId = String(created.body.connection_id);
  const page = await fetch(String(created.body.connect_url));
  assert.equal(page.status, 200);
  const cookie = /mis_connect=([^;]+)/.exec(page.headers.get('set-cookie') ?? '')?.[1];
  assert.ok(cookie, 'the connect page sets the technical cookie');
  const dialogUrl = /<a class="button" href="([^"]+)">Continue with Meta<\/a>/.exec(await page.text())?.[1]?.replace(/&#38;/g, '&');
  assert.ok(dialogUrl, 'the connect page links to Meta');
  const redirect = await submitConsent(dialogUrl, { decision: options.decision ?? 'continue' });
  const callback = await fetch(redirect.location.toString(), { headers: { cookie: `${CONNECT_COOKIE}=${cookie}` } });
  let html = await callback.text();
  let status = callback.status;
  if (options.chooseAsset) {
    // Meta granted several assets: answer the choice page as the person would.
    assert.match(html, /name="asset_id"/, 'a choice page');
    const chosen = await fetch(`${service.baseUrl}/connect/${connectionId}/choose`, {
      method: 'POST',
      headers: { cookie: `${CONNECT_COOKIE}=${cookie}`, 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ asset_id: options.chooseAsset }),
    });
    html = await chosen.text();
    status = chosen.status;
  }
  options.pages?.push(html);
  for (const pin of options.pins ?? []) {
    assert.match(html, /name="pin"/, 'a PIN page');
    const answered = await fetch(`${service.baseUrl}/connect/${connectionId}/pin`, {
      method: 'POST',
      headers: { cookie: `${CONNECT_COOKIE}=${cookie}`, 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ pin }),
    });
    html = await answered.text();
    status = answered.status;
    options.pages?.push(html);
  }
  const connection = await dskApi(service, instanceId, 'GET', `/v1/connections/${connectionId}`);
  return {
    connectionId,
    status,
    html,
    ...(connection.body.channel_id ? { channelId: String(connection.body.channel_id) } : {}),
  };
}
