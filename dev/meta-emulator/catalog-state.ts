import { createHmac, randomBytes } from 'node:crypto';
import type { EmulatorState } from './state.js';
import { deliverWebhook, type DeliveryOutcome } from './webhook-sender.js';

/*
 * What the emulator keeps for issue #13's endpoints, apart from state.ts: each WABA's message
 * templates (with Meta's review, which approves a new template a moment later and says so with a
 * `message_template_status_update` webhook), the business profiles of numbers, Resumable Upload
 * sessions and their handles, the Instagram customers whose profiles the User Profile API answers
 * for, and the Instagram CDN's attachment files behind expiring signed URLs.
 */

/** A template in Meta's shape (Template management): upper-case component types, variables as `{{1}}` or `{{name}}`. */
export interface TemplateRecord {
  id: string;
  wabaId: string;
  name: string;
  language: string;
  category: string;
  status: string;
  parameterFormat: 'POSITIONAL' | 'NAMED';
  components: Array<Record<string, unknown>>;
}

export interface BusinessProfileRecord {
  about: string;
  address: string;
  description: string;
  email: string;
  websites: string[];
  vertical: string;
  profilePictureUrl: string | undefined;
}

export interface InstagramAttachment {
  bytes: Buffer;
  mimeType: string;
  /** Unix seconds: the signed URL stops working then (the asset itself stays, as at Meta). */
  expiresAt: number;
}

/**
 * Every WABA starts with templates like the `hello_world` sample Meta gives new accounts, plus two
 * the tests and the sandbox send (an order update with a body variable and a quick reply; a receipt
 * with an image header, two body variables and a dynamic URL button).
 */
function defaultTemplates(): Array<Omit<TemplateRecord, 'id' | 'wabaId'>> {
  return [
    {
      name: 'hello_world',
      language: 'en_US',
      category: 'UTILITY',
      status: 'APPROVED',
      parameterFormat: 'POSITIONAL',
      components: [
        { type: 'HEADER', format: 'TEXT', text: 'Hello World' },
        { type: 'BODY', text: 'Welcome and congratulations!! This message demonstrates your ability to send a WhatsApp message notification from the Cloud API, hosted by Meta.' },
        { type: 'FOOTER', text: 'WhatsApp Business Platform sample message' },
      ],
    },
    {
      name: 'order_update',
      language: 'en_US',
      category: 'UTILITY',
      status: 'APPROVED',
      parameterFormat: 'POSITIONAL',
      components: [
        { type: 'BODY', text: 'Your order {{1}} has shipped.', example: { body_text: [['#1234']] } },
        { type: 'BUTTONS', buttons: [{ type: 'QUICK_REPLY', text: 'Confirm receipt' }] },
      ],
    },
    {
      name: 'receipt',
      language: 'en',
      category: 'UTILITY',
      status: 'APPROVED',
      parameterFormat: 'POSITIONAL',
      components: [
        { type: 'HEADER', format: 'IMAGE' },
        { type: 'BODY', text: 'You paid {{1}} on {{2}}.', example: { body_text: [['$10.99', 'May 1']] } },
        { type: 'BUTTONS', buttons: [{ type: 'PHONE_NUMBER', text: 'Call us', phone_number: '+15550100' }, { type: 'URL', text: 'Your order', url: 'https://acme.example/{{1}}' }] },
      ],
    },
  ];
}

export class CatalogState {
  private readonly templatesByWaba = new Map<string, Map<string, TemplateRecord>>();
  readonly profiles = new Map<string, BusinessProfileRecord>();
  /** Upload session id → the file announced (`POST /{app-id}/uploads`). */
  readonly uploadSessions = new Map<string, { appId: string; fileLength: number; fileType: string; fileName: string }>();
  /** Handles the Resumable Upload API gave out → the file. */
  readonly handles = new Map<string, { bytes: Buffer; fileType: string }>();
  /** IGSID → what Meta's User Profile API answers for that customer. */
  readonly instagramUsers = new Map<string, { name?: string; username?: string; profilePic?: string }>();
  readonly instagramAttachments = new Map<string, InstagramAttachment>();
  /** How long after creation Meta's review answers; null: never on its own (tests call review()). */
  reviewDelayMs: number | null = 50;
  /** What the review decides. */
  reviewOutcome: (template: TemplateRecord) => 'APPROVED' | 'REJECTED' = (t) => (t.name.startsWith('reject_') ? 'REJECTED' : 'APPROVED');
  /** Template status webhooks sent (with the callback's answer). */
  readonly statusWebhooks: Array<{ templateId: string; event: string; outcome: DeliveryOutcome | undefined }> = [];
  /** Signs Instagram CDN URLs. */
  readonly cdnSecret = randomBytes(32);
  private readonly pending = new Set<Promise<void>>();

  constructor(private readonly state: EmulatorState) {}

  /** The WABA's templates; a WABA seen for the first time gets the default ones. */
  templatesOf(wabaId: string): Map<string, TemplateRecord> {
    let templates = this.templatesByWaba.get(wabaId);
    if (!templates) {
      templates = new Map();
      for (const t of defaultTemplates()) {
        const id = this.state.newTemplateId();
        templates.set(id, { ...t, id, wabaId });
      }
      this.templatesByWaba.set(wabaId, templates);
    }
    return templates;
  }

  /** Adds a template directly (as if made in WhatsApp Manager), no review. */
  addTemplate(wabaId: string, t: Omit<TemplateRecord, 'id' | 'wabaId'>): TemplateRecord {
    const record = { ...t, id: this.state.newTemplateId(), wabaId };
    this.templatesOf(wabaId).set(record.id, record);
    return record;
  }

  /** A new template waits for review; the review's outcome comes as a webhook. */
  submitted(record: TemplateRecord): void {
    if (this.reviewDelayMs === null) return;
    const timer = setTimeout(() => void this.review(record.wabaId, record.id, this.reviewOutcome(record)), this.reviewDelayMs);
    timer.unref();
  }

  /** Meta's review (or any later status change): the status changes and the status webhook goes out. */
  async review(wabaId: string, templateId: string, event: string): Promise<void> {
    const record = this.templatesOf(wabaId).get(templateId);
    if (!record) return;
    record.status = event;
    const payload = {
      object: 'whatsapp_business_account',
      entry: [
        {
          id: wabaId,
          time: Math.floor(this.state.now().getTime() / 1000),
          changes: [
            {
              field: 'message_template_status_update',
              value: {
                event,
                message_template_id: Number(record.id),
                message_template_name: record.name,
                message_template_language: record.language,
                reason: event === 'REJECTED' ? 'INVALID_FORMAT' : 'NONE',
                message_template_category: record.category,
              },
            },
          ],
        },
      ],
    };
    const subscription = this.state.wabas.get(wabaId)?.subscriptions.get(this.state.metaApp.id);
    const callback = subscription?.overrideCallbackUri ?? this.state.webhookCallbackUrl;
    if (!subscription || !callback) {
      this.statusWebhooks.push({ templateId, event, outcome: undefined });
      return;
    }
    const delivery = deliverWebhook(callback, payload, this.state.metaApp.secret).then((outcome) => {
      this.statusWebhooks.push({ templateId, event, outcome });
    });
    const tracked: Promise<void> = delivery.finally(() => this.pending.delete(tracked));
    this.pending.add(tracked);
    await tracked;
  }

  /** Resolves once every template webhook started so far was answered. */
  async settled(): Promise<void> {
    while (this.pending.size > 0) await Promise.allSettled([...this.pending]);
  }

  profileOf(phoneNumberId: string): BusinessProfileRecord {
    let profile = this.profiles.get(phoneNumberId);
    if (!profile) {
      profile = { about: 'Hey there! I am using WhatsApp.', address: '', description: '', email: '', websites: [], vertical: 'UNDEFINED', profilePictureUrl: undefined };
      this.profiles.set(phoneNumberId, profile);
    }
    return profile;
  }

  /**
   * An Instagram attachment as the CDN serves it: the URL carries its expiry and a signature
   * (`/ig_messaging_cdn/?asset_id&ext&hash`, the shape of lookaside's signed links), and stops
   * working at the expiry. `baseUrl` is the emulator's root URL.
   */
  addInstagramAttachment(baseUrl: string, bytes: Buffer, mimeType: string, ttlSeconds = 3 * 24 * 3600): { assetId: string; url: string } {
    const assetId = this.state.newId();
    const expiresAt = Math.floor(this.state.now().getTime() / 1000) + ttlSeconds;
    this.instagramAttachments.set(assetId, { bytes, mimeType, expiresAt });
    return { assetId, url: this.attachmentUrl(baseUrl, assetId, expiresAt) };
  }

  attachmentUrl(baseUrl: string, assetId: string, expiresAt: number): string {
    const url = new URL('/ig_messaging_cdn/', baseUrl);
    url.searchParams.set('asset_id', assetId);
    url.searchParams.set('ext', String(expiresAt));
    url.searchParams.set('hash', this.cdnSignature(assetId, expiresAt));
    return url.toString();
  }

  cdnSignature(assetId: string, expiresAt: number): string {
    return createHmac('sha256', this.cdnSecret).update(`${assetId}:${expiresAt}`).digest('base64url');
  }

  /** Every signed Instagram URL handed out so far stops working now (the sandbox's "expire" button). */
  expireInstagramUrls(): number {
    const now = Math.floor(this.state.now().getTime() / 1000);
    for (const a of this.instagramAttachments.values()) a.expiresAt = Math.min(a.expiresAt, now);
    return this.instagramAttachments.size;
  }

  reset(): void {
    this.templatesByWaba.clear();
    this.profiles.clear();
    this.uploadSessions.clear();
    this.handles.clear();
    this.instagramUsers.clear();
    this.instagramAttachments.clear();
    this.statusWebhooks.length = 0;
    this.reviewDelayMs = 50;
  }
}
