import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { metaWebhookProblems } from '../../dev/meta-emulator/rules/webhook-shapes.js';
import { ConnectorError } from '../../src/meta/connector-common.js';
import type { DiscoveredAsset } from '../../src/meta/connectors.js';
import { parseMetaError } from '../../src/meta/graph/errors.js';
import { describeMetaError } from '../../src/meta/graph/failure.js';
import { parseSubscribedAppsBody } from '../../src/meta/graph/subscribed-apps.js';
import { expectSuccess } from '../../src/meta/graph/transport.js';
import { parseInstagramCodeExchange } from '../../src/meta/instagram/login-api.js';
import { parseInstagramSendBody } from '../../src/meta/instagram/send-result.js';
import { parseDebugTokenBody } from '../../src/meta/oauth.js';
import { parsePhoneNumberStatus, parseWhatsAppSendBody, type WhatsAppCloudApi } from '../../src/meta/whatsapp/cloud-api.js';
import { whatsappEmbeddedSignupConnector } from '../../src/meta/whatsapp/embedded-signup.js';
import { registrationDecision } from '../../src/meta/whatsapp/registration.js';
import { splitWebhook } from '../../src/meta/webhook/split.js';
import type { GraphOAuth } from '../../src/meta/oauth.js';
import type { InboundEvent } from '../../src/shared/inbound-events.js';

/*
 * Every payload in test/fixtures/meta-real (webhook bodies and Graph answers that real integrations
 * recorded from Meta or copied from Meta's documentation; origins in SOURCES.md), through what the
 * service reads them with: the webhook projection and the emulator's shape rules for webhooks, the
 * client's response parsers and the one error classification for Graph answers. Each yields what
 * SOURCES.md's "Expected" column says; nothing throws, nothing is lost. A fixture added without an
 * expectation here fails the test.
 */

const ROOT = new URL('../../../test/fixtures/meta-real/', import.meta.url);
const text = (path: string) => readFileSync(new URL(path, ROOT), 'utf8');
const json = (path: string): unknown => JSON.parse(text(path));
const files = (dir: string) => readdirSync(new URL(`${dir}/`, ROOT)).filter((f) => f.endsWith('.json')).map((f) => `${dir}/${f}`);

type Expected = Array<[kind: InboundEvent['kind'], key: string, channelType: string]>;

/** kind, key (a trailing SHA-256 written `<hash>`) and channel type of each event, in order. */
const WEBHOOKS: Record<string, Expected> = {
  'whatsapp/account-update-partner-app-installed.json': [['channel.account_update', 'wa:account_update:2949482758682047:<hash>', 'whatsapp']],
  'whatsapp/account-update-partner-app-uninstalled.json': [['channel.account_update', 'wa:account_update:2949482758682047:<hash>', 'whatsapp']],
  'whatsapp/account-update-partner-removed-coexistence.json': [['channel.account_update', 'wa:account_update:2949482758682047:<hash>', 'whatsapp']],
  'whatsapp/audio-voice.json': [['message.received', 'wa:msg:wamid.xyzxyz', 'whatsapp']],
  'whatsapp/button-quick-reply.json': [['message.received', 'wa:msg:wamid.xsidjw', 'whatsapp']],
  'whatsapp/contacts.json': [['message.received', 'wa:msg:wamid.xyzxyz', 'whatsapp']],
  'whatsapp/document.json': [['message.received', 'wa:msg:wamid.xyzxyz', 'whatsapp']],
  'whatsapp/edit.json': [['message.edited', 'wa:msg:wamid.HBgLMTY1MDU1NTAxOTkVAgASGBQzQUFERjg0NDEzNDdFODU3MUMxMAA=', 'whatsapp']],
  'whatsapp/history.json': [['conversation.history', 'wa:history:PN_123:0:1:16505551234:<hash>', 'whatsapp']],
  'whatsapp/image.json': [['message.received', 'wa:msg:wamid.xyzxyz', 'whatsapp']],
  'whatsapp/interactive-button-reply.json': [['message.received', 'wa:msg:wamid.xyzxyz', 'whatsapp']],
  'whatsapp/interactive-list-reply.json': [['message.received', 'wa:msg:wamid.zyzxyz', 'whatsapp']],
  'whatsapp/interactive-nfm-reply.json': [['message.received', 'wa:msg:wamid.wegrchytvwcggt==', 'whatsapp']],
  'whatsapp/location.json': [['message.received', 'wa:msg:wamid.xyzxyz', 'whatsapp']],
  'whatsapp/message-with-value-error.json': [
    ['message.received', 'wa:msg:wamid.wegrchytvwcggt=', 'whatsapp'],
    ['channel.error', 'wa:error:1122334455667:<hash>', 'whatsapp'],
  ],
  'whatsapp/order.json': [['message.received', 'wa:msg:wamid.xyzxyz', 'whatsapp']],
  'whatsapp/phone-number-quality-update.json': [['channel.quality', 'wa:phone_number_quality_update:whatsapp-business-account-id:<hash>', 'whatsapp']],
  'whatsapp/reaction-removed.json': [['message.reaction', 'wa:msg:wamid.xyzxyz', 'whatsapp']],
  'whatsapp/reaction.json': [['message.reaction', 'wa:msg:wamid.HBgNNDkxNTIwMDAwMDAwMBUCABIYHGDEHJVFHJEVCFHJEVBCMTkyODk1OEIyAA==', 'whatsapp']],
  'whatsapp/referral-ctwa.json': [['message.received', 'wa:msg:wamid.ID', 'whatsapp']],
  'whatsapp/revoke.json': [['message.deleted', 'wa:msg:<WHATSAPP_MESSAGE_ID>', 'whatsapp']],
  'whatsapp/smb-message-echoes-edit.json': [['message.edited', 'wa:echo:wamid.yyyyyy', 'whatsapp']],
  'whatsapp/smb-message-echoes-revoke.json': [['message.deleted', 'wa:echo:wamid.yyyyyy', 'whatsapp']],
  'whatsapp/smb-message-echoes-text.json': [['message.echo', 'wa:echo:<WHATSAPP_MESSAGE_ID>', 'whatsapp']],
  'whatsapp/status-delivered-bsuid-pmp.json': [['message.status', 'wa:status:wamid.HBgLMTY1MDU1NTAxOTkVAgASGBQzQUFERjg0NDEzNDdFODU3MUMxMAA=:delivered', 'whatsapp']],
  'whatsapp/status-delivered.json': [['message.status', 'wa:status:wamid.xyzxyz:delivered', 'whatsapp']],
  'whatsapp/status-failed-130472.json': [['message.status', 'wa:status:wamid.xyzxyz:failed:130472', 'whatsapp']],
  'whatsapp/status-failed-131026.json': [['message.status', 'wa:status:wamid.HBgLMzI0NzAwMDAwMDAVAgARGBIzOTI2MzFGRjdBRjA4M0Y2RDQA:failed:131026', 'whatsapp']],
  'whatsapp/status-read.json': [['message.status', 'wa:status:wamid.xyzxyz:read', 'whatsapp']],
  'whatsapp/status-sent.json': [['message.status', 'wa:status:wamid.xyzxyz:sent', 'whatsapp']],
  'whatsapp/sticker-animated.json': [['message.received', 'wa:msg:wamid.xyzxyz', 'whatsapp']],
  'whatsapp/system-identity-changed.json': [['message.received', 'wa:msg:wamid.xyzxyz', 'whatsapp']],
  'whatsapp/system-user-changed-number-legacy.json': [['message.received', 'wa:msg:wamid.HBgNNDkxNTIwMDAwMDAwMBUCABIYHGDEHJVFHJEVCFHJEVBCMTkyODk1OEIyAA==', 'whatsapp']],
  'whatsapp/system-user-changed-number.json': [['message.received', 'wa:msg:wamid.xyzxyz==', 'whatsapp']],
  'whatsapp/system-user-changed-user-id.json': [['message.received', 'wa:msg:wamid.HBgLMTY1MDU1NTAxOTkVAgASGBQzQTRBNjU5OUFFRTAzODEwMTQ0RgA=', 'whatsapp']],
  'whatsapp/template-category-update.json': [['template.status', 'wa:template_category_update:57438975935:<hash>', 'whatsapp']],
  'whatsapp/template-quality-update.json': [['template.status', 'wa:message_template_quality_update:102290129340398:<hash>', 'whatsapp']],
  'whatsapp/template-status-approved.json': [['template.status', 'wa:message_template_status_update:102290129340398:<hash>', 'whatsapp']],
  'whatsapp/template-status-rejected.json': [['template.status', 'wa:message_template_status_update:102290129340398:<hash>', 'whatsapp']],
  'whatsapp/text-from-bsuid-only.json': [['message.received', 'wa:msg:external_id', 'whatsapp']],
  'whatsapp/text-recorded.json': [['message.received', 'wa:msg:wamid.HBgNNDkxNTIwMDAwMDAwMBUCABIYHGDEHJVFHJEVCFHJEVBCMTkyODk1OEIyAA==', 'whatsapp']],
  'whatsapp/text-reply.json': [['message.received', 'wa:msg:wamid.xyzxyz', 'whatsapp']],
  'whatsapp/text.json': [['message.received', 'wa:msg:wamid.xyzxyz', 'whatsapp']],
  'whatsapp/unknown-legacy.json': [['message.received', 'wa:msg:wamid.HBgNNDkxNTIwMDAwMDAwMBUCABIYHGDEHJVFHJEVCFHJEVBCMTkyODk1OEIyAA==', 'whatsapp']],
  'whatsapp/unsupported-with-type.json': [['message.received', 'wa:msg:wamid.xyzxyz', 'whatsapp']],
  'whatsapp/unsupported.json': [['message.received', 'wa:msg:wamid.randomwhatsappmessageid', 'whatsapp']],
  'whatsapp/user-id-update.json': [['contact.updated', 'wa:user_id_update:106540352242922:<hash>', 'whatsapp']],
  'whatsapp/value-errors-130429.json': [['channel.error', 'wa:error:106540352242922:<hash>', 'whatsapp']],
  'whatsapp/video.json': [['message.received', 'wa:msg:wamid.xyzxyz', 'whatsapp']],
  'instagram/attachment-unsupported-type.json': [
    ['message.received', 'ig:msg:aWdfZAG1faXRlbToxOklHTWVzc2FnZAUlEOjE3ODFAKEMIDFAKEMIDFAKEMIDFAKEMIDFAKEMIDFAKEMIDFAKEMIDFAKEMIDFAKEMIDFAKEMIDFAKEMIDFAKEMIDFAKEMIDFAKEMIDFAKEMIDFAKEMIDFAKEMIDFAKEM', 'instagram'],
  ],
  // The App Dashboard's "Test" button: acknowledged; its account "0" routes nowhere.
  'instagram/dashboard-test-text.json': [['message.received', 'ig:msg:random_mid', 'instagram']],
  'instagram/deleted.json': [['message.deleted', 'ig:del:external_id', 'instagram']],
  // The same message twice in one POST: one key, so DSK gets it once.
  'instagram/duplicate-entries.json': [
    ['message.received', 'ig:msg:external_id', 'instagram'],
    ['message.received', 'ig:msg:external_id', 'instagram'],
  ],
  'instagram/echo.json': [['message.echo', 'ig:echo:qT7ywaK', 'instagram']],
  'instagram/image.json': [['message.received', 'ig:msg:external_id', 'instagram']],
  'instagram/postback-icebreaker.json': [['message.postback', 'ig:postback:5678:1459991487970:<hash>', 'instagram']],
  'instagram/read.json': [['message.read', 'ig:read:MESSAGE-ID', 'instagram']],
  'instagram/share.json': [['message.received', 'ig:msg:message-id-1', 'instagram']],
  'instagram/standby.json': [['message.received', 'ig:msg:message-id-1', 'instagram']],
  'instagram/story-mention.json': [['message.received', 'ig:msg:external_id', 'instagram']],
  'instagram/story-reply.json': [['message.received', 'ig:msg:message-id-1', 'instagram']],
  'instagram/text.json': [['message.received', 'ig:msg:external_id', 'instagram']],
  // Messenger (object page): recorded, routed nowhere, never an Instagram event.
  ...Object.fromEntries(
    ['deleted', 'delivery', 'echo', 'ig-reel-attachment', 'message-edit', 'pass-thread-control', 'reaction-react', 'reaction-unreact', 'read-watermark', 'referral', 'standby-echo', 'text'].map((name) => [
      `messenger/${name}.json`,
      [['unsupported', 'fb:unsupported:<hash>', 'unknown']] satisfies Expected,
    ]),
  ),
};

/**
 * Where a fixture's shape is not Meta's, as SOURCES.md explains; the emulator's shape rules must say so.
 * Every other webhook fixture is a shape the emulator accepts.
 */
const NOT_META_SHAPED: Record<string, string[]> = {
  // Meta's documented sample: a value-level error 131000 next to an interactive message it could not render.
  'whatsapp/message-with-value-error.json': ['entry[0].changes[0].value.messages[0] is of type interactive without its interactive object'],
  // The Dashboard "Test" button sends a seconds string.
  'instagram/dashboard-test-text.json': ['entry[0].messaging[0].timestamp must be Unix milliseconds as a number'],
  // Chatwoot's factories write ISO strings; Meta sends Unix milliseconds.
  'instagram/share.json': ['entry[0].time must be a Unix time', 'entry[0].messaging[0].timestamp must be Unix milliseconds as a number'],
  'instagram/standby.json': ['entry[0].time must be a Unix time', 'entry[0].standby[0].timestamp must be Unix milliseconds as a number'],
  'instagram/story-reply.json': ['entry[0].time must be a Unix time', 'entry[0].messaging[0].timestamp must be Unix milliseconds as a number'],
};

const split = (path: string) => splitWebhook(json(path), { receivedAt: new Date('2026-07-29T08:03:12.417Z') });
function only<K extends InboundEvent['kind']>(path: string, kind: K): Extract<InboundEvent, { kind: K }> {
  const [event, ...rest] = split(path);
  assert.equal(rest.length, 0, path);
  assert.equal(event?.kind, kind, path);
  return event as Extract<InboundEvent, { kind: K }>;
}

describe('real webhook payloads (test/fixtures/meta-real): the projection and the emulator\'s shape rules', () => {
  const webhookFiles = ['whatsapp', 'instagram', 'messenger'].flatMap(files);

  it('has an expectation for every webhook fixture', () => {
    assert.deepEqual(webhookFiles.filter((f) => !(f in WEBHOOKS)), []);
    assert.deepEqual(Object.keys(WEBHOOKS).filter((f) => !webhookFiles.includes(f)), []);
  });

  for (const path of webhookFiles) {
    it(`${path} yields its events, every one with Meta's object as raw`, () => {
      const events = split(path);
      assert.deepEqual(
        events.map((e) => [e.kind, e.key.replace(/[0-9a-f]{64}$/, '<hash>'), e.channelType]),
        WEBHOOKS[path],
      );
      for (const event of events) assert.notEqual(event.raw, undefined);
      assert.deepEqual(metaWebhookProblems(json(path)), NOT_META_SHAPED[path] ?? []);
    });
  }

  it('keeps what each WhatsApp fixture is about (SOURCES.md "Expected")', () => {
    assert.deepEqual(only('whatsapp/text-from-bsuid-only.json', 'message.received').data.sender.id, 'US.1234');
    assert.equal(only('whatsapp/audio-voice.json', 'message.received').data.message.media?.voice, true);
    assert.equal(only('whatsapp/video.json', 'message.received').data.message.context?.forwarded, true);
    assert.equal(typeof only('whatsapp/interactive-nfm-reply.json', 'message.received').data.message.interactive?.flow?.response_json, 'string');
    assert.equal(only('whatsapp/reaction-removed.json', 'message.reaction').data.reaction.action, 'unreact');
    assert.equal(only('whatsapp/contacts.json', 'message.received').data.message.contacts?.length, 3);
    assert.equal(only('whatsapp/unsupported-with-type.json', 'message.received').data.message.unsupported_type, 'pool');
    assert.equal(only('whatsapp/system-user-changed-number.json', 'message.received').data.message.system?.wa_id, '972912345678');
    assert.equal(only('whatsapp/system-user-changed-number-legacy.json', 'message.received').data.message.system?.wa_id, 'NEW_PHONE_NUMBER');
    assert.deepEqual(only('whatsapp/system-identity-changed.json', 'message.received').data.message.system?.identity, { acknowledged: true, created_timestamp: '1697044706', hash: 'xyzxyz' });
    const bsuidChange = only('whatsapp/system-user-changed-user-id.json', 'message.received').data;
    assert.deepEqual([bsuidChange.sender.id, bsuidChange.message.system?.parent_user_id], ['US.13491208655302741918', 'US.ENT.11815799212886844830']);
    const edit = only('whatsapp/edit.json', 'message.edited').data;
    assert.deepEqual([edit.message_id, edit.text, edit.message?.type], ['wamid.HBgLMTQxMjU1NTA4MjkVAgASGBQzQUNCNjk5RDUwNUZGMUZEM0VBRAA=', 'Updated image caption', 'image']);
    assert.equal(only('whatsapp/revoke.json', 'message.deleted').data.message_id, '<ORIGINAL_WHATSAPP_MESSAGE_ID>');
    const echo = only('whatsapp/smb-message-echoes-text.json', 'message.echo').data;
    assert.deepEqual([echo.sender.id, echo.recipient?.id, echo.message.text], ['<BUSINESS_DISPLAY_PHONE_NUMBER>', '<WHATSAPP_USER_PHONE_NUMBER>', 'Test message']);
    assert.equal(only('whatsapp/smb-message-echoes-edit.json', 'message.edited').data.echo, true);
    const history = only('whatsapp/history.json', 'conversation.history').data;
    assert.deepEqual(history.messages.map((m) => [m.message.id, m.direction]), [['wamid.in1', 'inbound'], ['wamid.out1', 'outbound'], ['wamid.media1', 'outbound']]);
    assert.equal(history.progress, 100);
    assert.deepEqual(only('whatsapp/user-id-update.json', 'contact.updated').data.user_id, { previous: 'US.10101010101010101010', current: 'US.13491208655302741918' });
    assert.equal(only('whatsapp/status-sent.json', 'message.status').data.biz_opaque_callback_data !== undefined, true);
    assert.equal(only('whatsapp/status-delivered-bsuid-pmp.json', 'message.status').data.recipient?.id.startsWith('US.'), true);
    assert.deepEqual(only('whatsapp/status-failed-131026.json', 'message.status').data.error?.code, 'undeliverable');
    assert.deepEqual(only('whatsapp/status-failed-130472.json', 'message.status').data.error?.code, 'quality_limited');
    const templates = ['template-status-approved', 'template-category-update', 'template-quality-update'].map((n) => only(`whatsapp/${n}.json`, 'template.status'));
    assert.deepEqual(templates.map((t) => [t.data.update, t.wabaId]), [['status', '102290129340398'], ['category', '57438975935'], ['quality', '102290129340398']]);
    assert.equal(only('whatsapp/template-status-rejected.json', 'template.status').data.reason, 'INVALID_FORMAT');
    const quality = only('whatsapp/phone-number-quality-update.json', 'channel.quality');
    assert.deepEqual([quality.phoneNumber, quality.wabaId], ['16505551111', 'whatsapp-business-account-id']);
    const installed = only('whatsapp/account-update-partner-app-installed.json', 'channel.account_update');
    assert.deepEqual([installed.wabaId, installed.data.disconnect], ['1191624265890717', false]);
    assert.equal(only('whatsapp/account-update-partner-app-uninstalled.json', 'channel.account_update').data.disconnect, true);
    assert.deepEqual(only('whatsapp/account-update-partner-removed-coexistence.json', 'channel.account_update').data.disconnection_info, { reason: 'PRIMARY_INACTIVITY', initiated_by: 'SYSTEM' });
    assert.equal(only('whatsapp/value-errors-130429.json', 'channel.error').data.errors[0]?.code, 130429);
  });

  it('keeps what each Instagram fixture is about, a standby message flagged', () => {
    assert.equal(only('instagram/standby.json', 'message.received').data.standby, true);
    assert.equal(only('instagram/image.json', 'message.received').data.message.type, 'image');
    assert.equal(only('instagram/attachment-unsupported-type.json', 'message.received').data.message.type, 'unknown');
    assert.equal(only('instagram/share.json', 'message.received').data.message.type, 'share');
    assert.equal(only('instagram/story-mention.json', 'message.received').data.message.type, 'story_mention');
    assert.ok(only('instagram/story-reply.json', 'message.received').data.message.context?.story);
    assert.equal(only('instagram/read.json', 'message.read').data.message_id, 'MESSAGE-ID');
    assert.equal(only('instagram/dashboard-test-text.json', 'message.received').businessId, '0');
  });

  it('never makes an Instagram event of a Messenger payload: each item is unsupported_channel, of no channel type', () => {
    for (const path of files('messenger')) {
      const events = split(path);
      for (const event of events) {
        assert.equal(event.channelType, 'unknown', path);
        assert.equal(event.kind === 'unsupported' && event.data.reason, 'unsupported_channel', path);
      }
    }
  });
});

describe('real Graph answers (test/fixtures/meta-real/graph): response parsing and error classification', () => {
  const graphFiles = [...files('graph'), ...files('graph/assembled')];
  const checked = new Set<string>();
  const read = (path: string) => {
    checked.add(path);
    return json(path);
  };
  const error = (path: string, operation: Parameters<typeof parseMetaError>[0], status = 400) => {
    checked.add(path);
    const err = parseMetaError(operation, status, new Headers(), text(path));
    return describeMetaError({ operation, code: err.code, subcode: err.subcode });
  };

  it('reads the WhatsApp send answer with the normalised recipient (X1)', () => {
    assert.deepEqual(parseWhatsAppSendBody(read('graph/wa-send-response.json')), { messageId: 'wamid.foobar', waId: '16505551234' });
    const bsuid = parseWhatsAppSendBody(read('graph/wa-send-response-bsuid.json'));
    assert.ok(bsuid.userId?.startsWith('US.'), JSON.stringify(bsuid));
    assert.equal(bsuid.waId, undefined);
  });

  it('reads a registered number and a coexistence number as needing no /register (P2, C5)', () => {
    const full = parsePhoneNumberStatus(read('graph/wa-phone-number-full.json'));
    assert.deepEqual([full.status, full.platformType, full.pinEnabled, full.codeVerificationStatus], ['CONNECTED', 'CLOUD_API', true, 'EXPIRED']);
    assert.deepEqual(registrationDecision(full, { pinGiven: false }), { action: 'skip', reason: 'already_registered' });
    const coexistence = parsePhoneNumberStatus(read('graph/wa-phone-number-coexistence.json'));
    assert.deepEqual(registrationDecision(coexistence, { pinGiven: false }), { action: 'skip', reason: 'coexistence' });
    expectSuccess('registerPhoneNumber', read('graph/wa-register-success.json'));
  });

  it('reads debug_token, the WABA subscription list, the Messenger send answer and the Instagram code exchange', () => {
    const debug = parseDebugTokenBody(read('graph/debug-token-embedded-signup.json'));
    assert.deepEqual(debug.granularScopes.find((g) => g.scope === 'whatsapp_business_management')?.targetIds?.[0], '102289599326934');
    assert.deepEqual(parseSubscribedAppsBody('listSubscribedApps', read('graph/waba-subscribed-apps.json')).map((a) => a.appId), ['1234567890123456', '2345678901234567']);
    assert.ok(parseInstagramSendBody(read('graph/messenger-send-response.json')).messageId);
    const grant = parseInstagramCodeExchange(read('graph/ig-oauth-code-exchange-flat.json'));
    assert.deepEqual([grant.userId, grant.permissions?.length], ['1234567890', 4]);
  });

  it('classifies recorded send errors: 551 is the person unreachable, 10/2534022 the window, 190 a dead token', () => {
    const unavailable = error('graph/error-551-person-unavailable.json', 'sendMessage');
    assert.deepEqual([unavailable.code, unavailable.errorClass, unavailable.action], ['recipient_unavailable', 'unavailable', 'fail']);
    assert.doesNotMatch(unavailable.reason, /HUMAN_AGENT tag\.$|window/);
    const window = error('graph/error-ig-10-2534022-outside-window.json', 'sendMessage', 403);
    assert.deepEqual([window.code, window.meta_code, window.meta_subcode], ['outside_customer_window', 10, 2534022]);
    assert.equal(error('graph/error-190-invalid-token.json', 'sendMessage', 401).code, 'reauth_required');
    assert.equal(error('graph/assembled/error-133010-not-registered.json', 'sendMessage').code, 'policy_blocked');
  });

  it('turns registration errors into what the connection does: ask the PIN (133005), wait 72 h (133016) or minutes (133015)', async () => {
    const outcomes: Array<[string, string, number | undefined]> = [];
    for (const path of ['graph/assembled/error-133005-pin-mismatch.json', 'graph/assembled/error-133016-register-rate-limit.json', 'graph/assembled/error-133015-wait-before-register.json']) {
      checked.add(path);
      const cloud = {
        subscribeApp: async () => undefined,
        getPhoneNumber: async (_token: string, id: string) => ({ id, status: 'PENDING', platformType: 'NOT_APPLICABLE', codeVerificationStatus: 'VERIFIED', onBizApp: false, pinEnabled: false }),
        registerPhoneNumber: async () => {
          throw parseMetaError('registerPhoneNumber', 400, new Headers(), text(path));
        },
      } as unknown as WhatsAppCloudApi;
      const connector = whatsappEmbeddedSignupConnector({
        oauth: {} as GraphOAuth,
        cloud,
        version: 'v26.0',
        dialogBaseUrl: 'https://www.facebook.com',
        app: { appId: '1', appSecret: 'secret', configId: '2' },
        clock: () => new Date(),
      });
      const asset = { externalId: '106540352242922', wabaId: '102290129340398', token: { accessToken: 'EAAGtoken', kind: 'business_system_user', expiresAt: null } } as unknown as DiscoveredAsset;
      const failure = await connector.activate(asset).then(() => undefined, (err: unknown) => err);
      assert.ok(failure instanceof ConnectorError, path);
      outcomes.push([failure.code, String(failure.nonRetryable), (failure.details?.[0] as { waitMs?: number } | undefined)?.waitMs]);
    }
    assert.deepEqual(outcomes, [
      ['whatsapp_pin_required', 'true', undefined],
      ['whatsapp_registration_limited', 'true', 72 * 60 * 60 * 1000],
      ['whatsapp_registration_pending', 'true', 5 * 60 * 1000],
    ]);
  });

  it('has read every Graph fixture', () => {
    assert.deepEqual(graphFiles.filter((f) => !checked.has(f)), []);
  });
});
