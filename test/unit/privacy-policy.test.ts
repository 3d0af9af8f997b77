import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import type Router from '@koa/router';
import { createApp } from '../../src/api/app.js';
import { renderInline, renderMarkdown } from '../../src/api/pages/markdown.js';
import { channelRoutes } from '../../src/api/routes/channels.js';
import { CONNECT_COOKIE } from '../../src/api/routes/connect-pages.js';
import { connectionRoutes } from '../../src/api/routes/connections.js';
import { messageRoutes } from '../../src/api/routes/messages.js';
import { channelMediaRoutes } from '../../src/api/routes/channel-media.js';
import { mediaRoutes } from '../../src/api/routes/media.js';
import { storedMediaRoutes } from '../../src/api/routes/stored-media.js';
import { CAPTURE_GRACE_MS } from '../../src/media/capture.js';
import { DEFAULT_CHUNK_SIZE } from '../../src/media/sealing.js';
import { metaCallbackRoutes } from '../../src/api/routes/meta-callbacks.js';
import { loadPrivacyPolicy, PRIVACY_POLICY_PATH, privacyRoutes } from '../../src/api/routes/privacy.js';
import { SESSION_TTL_MS } from '../../src/api/server.js';
import { createLogger } from '../../src/logger.js';
import { RETENTION_WEBHOOK_LOG_DAYS } from '../../src/temporal/schedules.js';
import { listen } from '../support/jwt.js';

const log = createLogger({ level: 'silent' });
const markdown = readFileSync(PRIVACY_POLICY_PATH, 'utf8');
/** The policy as one line of text, Markdown emphasis removed: what a reader reads. */
const prose = markdown.replace(/\*\*/g, '').replace(/\s+/g, ' ');

describe('renderMarkdown (the subset docs/privacy-policy.md uses)', () => {
  it('renders headings with ids, paragraphs, lists with continuation lines, code, bold and links', () => {
    const { title, body } = renderMarkdown(
      '# Title\n\nFirst line\ncontinued.\n\n## 2. Data & more\n\n- one `GET /v1/x`\n  continued\n- **two** [policy](/privacy)\n',
    );
    assert.equal(title, 'Title');
    assert.equal(
      body.html,
      '<h1 id="title">Title</h1>\n<p>First line continued.</p>\n<h2 id="2-data-more">2. Data &#38; more</h2>\n<ul>\n<li>one <code>GET /v1/x</code> continued</li>\n<li><strong>two</strong> <a href="/privacy">policy</a></li>\n</ul>',
    );
  });

  it('escapes everything else and links only http(s), same-site and fragment targets', () => {
    assert.equal(renderInline('<script>alert(1)</script>'), '&#60;script&#62;alert(1)&#60;/script&#62;');
    assert.doesNotMatch(renderInline('[x](javascript:alert(1))'), /<a /);
    assert.doesNotMatch(renderInline('[x](//evil.example)'), /<a /);
    assert.equal(renderInline('[x](https://a.example/?q="1")'), '<a href="https://a.example/?q=&#34;1&#34;">x</a>');
    assert.equal(renderInline('`<b>`'), '<code>&#60;b&#62;</code>');
  });

  it('refuses a document without a title', () => {
    assert.throws(() => renderMarkdown('no title'), /no "# " title/);
  });
});

describe('docs/privacy-policy.md', () => {
  const routesOf = (router: Router) =>
    new Set(router.stack.flatMap((layer) => layer.methods.filter((m) => m !== 'HEAD').map((m) => `${m} ${String(layer.path)}`)));
  const inert = new Proxy({}, { get: () => () => undefined }) as never;
  const registered = new Set([
    ...routesOf(channelRoutes({ channels: inert, webhookLog: inert, messageStatus: inert, outboundSends: inert, workflows: inert, clock: () => new Date() })),
    ...routesOf(connectionRoutes({ connections: inert, sessions: inert, channels: inert, workflows: inert, publicBaseUrl: 'https://x', enabledFlows: [], sessionTtlMs: 1, clock: () => new Date() })),
    ...routesOf(mediaRoutes({ channels: inert, vault: inert, adapters: inert, log })),
    ...routesOf(messageRoutes({ channels: inert, sends: inert, deliveryHorizon: '1 hour' })),
    ...routesOf(channelMediaRoutes({ channels: inert, vault: inert, adapters: inert, clock: () => new Date(), log })),
    ...routesOf(storedMediaRoutes({ channels: inert, objects: inert, store: inert, vault: inert, adapters: inert, clock: () => new Date(), log })),
    ...routesOf(metaCallbackRoutes({ appSecrets: [], channels: inert, deletionRequests: inert, workflows: inert, publicBaseUrl: 'https://x', clock: () => new Date(), log })),
  ]);

  it('lists the information, correction and deletion endpoints, and Meta\'s deletion callback and status page', () => {
    for (const endpoint of ['GET /v1/channels/:id/data', 'PATCH /v1/channels/:id', 'DELETE /v1/channels/:id', 'POST /meta/data-deletion', 'POST /meta/deauthorize']) {
      assert.ok(prose.includes(`\`${endpoint}\``), `the policy names ${endpoint}`);
    }
    assert.match(prose, /`\/meta\/deletion-status\?code=…`/);
  });

  it('names only endpoints the service has', () => {
    const named = [...prose.matchAll(/`(GET|POST|PATCH|PUT|DELETE) (\/[^`?\s]+)`/g)].map((m) => `${m[1]} ${m[2]!.replace(/\{(\w+)\}/g, ':$1')}`);
    assert.ok(named.length >= 8, named.join(', '));
    for (const endpoint of named) assert.ok(registered.has(endpoint), `${endpoint} is named in the policy but no router registers it`);
    assert.ok(registered.has('GET /meta/deletion-status'));
  });

  it('states the retention periods and the cookie the code implements', () => {
    assert.equal(RETENTION_WEBHOOK_LOG_DAYS, 30);
    assert.match(prose, /Webhook logs are kept for 30 days/);
    assert.equal(SESSION_TTL_MS, 30 * 60 * 1000);
    assert.match(prose, new RegExp(`single technical cookie, \`${CONNECT_COOKIE}\``));
    assert.match(prose, /after 30 minutes at most/);
    assert.match(prose, /Fernet/);
    assert.match(prose, /AES-256-GCM/);
    assert.match(prose, /retention period of the Service's workflow namespace/);
    // Captured media: kept for the horizon plus CAPTURE_GRACE_MS (one day), encrypted as src/media/sealing.ts does.
    assert.equal(CAPTURE_GRACE_MS, 24 * 60 * 60 * 1000);
    assert.match(prose, /delivery horizon plus one day/);
    assert.match(prose, /AES-256-GCM in chunks of 64 KiB/);
    assert.equal(DEFAULT_CHUNK_SIZE, 64 * 1024);
    assert.match(prose, /for at most 10 minutes in the memory/);
  });

  it('is served at GET /privacy as an accessible page: one h1 matching the title, headings in order, every link labelled', async () => {
    const server = await listen(createApp({ log, trustProxy: false, publicRoutes: [privacyRoutes({ page: loadPrivacyPolicy() })], dskAuth: async () => undefined, dskRoutes: [] }).callback());
    try {
      const res = await fetch(`${server.url}/privacy`);
      assert.equal(res.status, 200);
      assert.match(res.headers.get('content-type') ?? '', /^text\/html; charset=utf-8$/);
      assert.equal(res.headers.get('cache-control'), 'public, max-age=3600');
      const page = await res.text();
      assert.match(page, /^<!doctype html>\n<html lang="en">/);
      assert.match(page, /<title>Privacy Policy<\/title>/);
      assert.deepEqual([...page.matchAll(/<h1[^>]*>([^<]*)<\/h1>/g)].map((m) => m[1]), ['Privacy Policy']);
      const levels = [...page.matchAll(/<h([1-6])[ >]/g)].map((m) => Number(m[1]));
      levels.forEach((level, i) => i > 0 && assert.ok(level <= levels[i - 1]! + 1, `heading level jumps from h${levels[i - 1]} to h${level}`));
      for (const m of page.matchAll(/<a [^>]*>(.*?)<\/a>/g)) assert.ok(m[1]!.replace(/<[^>]+>/g, '').trim().length > 0, 'a link without text');
      assert.match(page, /<main>\n<article>/);
      assert.doesNotMatch(page, /<script/);
      assert.ok(page.includes('<code>DELETE /v1/channels/:id</code>'));
    } finally {
      await server.close();
    }
  });
});
