import type { Readable } from 'node:stream';
import type { OutboundRequest } from '../shared/outbound-request.js';
import type { SendRecipient } from '../shared/outbound.js';
import type { ConnectFlow } from '../shared/connections.js';
import type { ChannelType } from '../shared/inbound-events.js';
import type { ChannelConnector, StoredAsset } from './connectors.js';
import type { TemplateCreateRequest, TemplateView } from '../shared/templates.js';
import type { ResumableFile } from './graph/resumable-upload.js';
import type { InstagramSenderProfile } from './instagram/sender-profile.js';
import type { BusinessProfile, BusinessProfileUpdate } from './whatsapp/business-profile-api.js';
import type { WhatsAppMediaUpload } from './whatsapp/media-api.js';

/*
 * What the rest of the service knows of a channel kind (WhatsApp, Instagram): one adapter each,
 * behind this one interface. Activities and routes pick the adapter by the channel's type and never
 * a Graph host, a token kind or an endpoint; those are the adapter's business.
 */

/** Who a call is made for: the channel's ids and its token, decrypted for this one call. */
export interface SendTarget {
  token: string;
  channel: StoredAsset;
  /** Feeds the send's correlation tag (WhatsApp `biz_opaque_callback_data`). */
  instanceId: string;
}

/** Media bytes with the type Meta recorded for them. */
export interface MediaContent {
  stream: Readable;
  mimeType: string;
  contentLength: number | undefined;
}

/** Media addressed by id, for the kinds that have it (WhatsApp); Instagram sends media as URLs. */
export interface ChannelMedia {
  /** The bytes behind a media id of this channel (inbound media, or one uploaded before). */
  download(token: string, channel: Pick<StoredAsset, 'externalId'>, mediaId: string): Promise<MediaContent>;
  /** Stores a file at Meta for later sends; returns the media id. */
  upload(token: string, channel: Pick<StoredAsset, 'externalId'>, file: WhatsAppMediaUpload): Promise<{ id: string }>;
}

/** An inbound media item as the webhook named it: WhatsApp's media id, or an Instagram attachment's URL. */
export interface InboundMediaSource {
  id?: string;
  url?: string;
  mimeType?: string;
}

/** The message templates of a channel's WhatsApp Business account (WhatsApp only). */
export interface ChannelTemplates {
  list(token: string, channel: StoredAsset): Promise<TemplateView[]>;
  create(token: string, channel: StoredAsset, template: TemplateCreateRequest): Promise<TemplateView>;
  /** Every language of `name`, or only `templateId`. */
  delete(token: string, channel: StoredAsset, name: string, templateId?: string): Promise<void>;
}

/** The business profile customers see (WhatsApp only). */
export interface ChannelBusinessProfile {
  get(token: string, channel: StoredAsset): Promise<BusinessProfile>;
  update(token: string, channel: StoredAsset, update: BusinessProfileUpdate): Promise<void>;
  /** A photo as a handle for `update({profile_picture_handle})`. */
  uploadPhoto(token: string, file: ResumableFile): Promise<string>;
}

export interface ChannelAdapter {
  readonly channelType: ChannelType;
  /**
   * The connect flows this kind offers (WhatsApp Embedded Signup; Instagram via Facebook Login and
   * Instagram Login), each the flow's connector: dialog, code exchange, discovery, activation, token care.
   */
  readonly connectors: Readonly<Partial<Record<ConnectFlow, ChannelConnector>>>;
  /**
   * A message, reaction or sender action → Meta's id for it (null where Meta gives none). Throws
   * what the Graph call threw (MetaApiError, MetaRequestError): graph/failure.ts classifies it.
   */
  send(target: SendTarget, request: OutboundRequest): Promise<{ metaMessageId: string | null; recipient?: SendRecipient }>;
  /** A `read` request: marks the customer's message read (WhatsApp, with an optional typing indicator; Instagram `mark_seen`). */
  markRead(target: SendTarget, request: OutboundRequest): Promise<void>;
  /** Absent for kinds without media ids. */
  readonly media?: ChannelMedia;
  /** The bytes of an inbound media item, for capture (src/media/capture.ts): by id with the token, or by its signed URL. */
  fetchInboundMedia(token: string, channel: Pick<StoredAsset, 'externalId'>, item: InboundMediaSource): Promise<MediaContent>;
  /** Who wrote (Instagram): name, username and picture of a customer. */
  readonly senderProfiles?: { get(token: string, channel: StoredAsset, senderId: string): Promise<InstagramSenderProfile> };
  readonly templates?: ChannelTemplates;
  readonly businessProfile?: ChannelBusinessProfile;
}

export type ChannelAdapters = Readonly<Record<ChannelType, ChannelAdapter>>;

/** Mark-as-read is an outbound request type of its own, answered without a message id. */
export function isReadRequest(outbound: OutboundRequest): boolean {
  return outbound.request.type === 'read';
}

/** Every connect flow's connector, from the adapter of its kind; a flow no adapter offers is a wiring bug. */
export function connectorsOf(adapters: ChannelAdapters): Readonly<Record<ConnectFlow, ChannelConnector>> {
  const all: Partial<Record<ConnectFlow, ChannelConnector>> = {};
  for (const adapter of Object.values(adapters)) Object.assign(all, adapter.connectors);
  const flows: ConnectFlow[] = ['whatsapp_embedded_signup', 'instagram_facebook_login', 'instagram_login'];
  for (const flow of flows) if (!all[flow]) throw new Error(`no channel adapter offers the ${flow} connect flow`);
  return all as Record<ConnectFlow, ChannelConnector>;
}

/** An adapter is only ever handed requests of its own kind; the send activity checks that before. */
export function requireKind<K extends ChannelType>(kind: K, outbound: OutboundRequest): Extract<OutboundRequest, { channelType: K }> {
  if (outbound.channelType !== kind) throw new TypeError(`a ${outbound.channelType} request reached the ${kind} adapter`);
  return outbound as Extract<OutboundRequest, { channelType: K }>;
}
