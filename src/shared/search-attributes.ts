import { defineSearchAttributeKey, SearchAttributeType } from '@temporalio/common';

/**
 * Custom search attributes set on every workflow so operators can filter in the Web UI.
 * They are stored unencrypted by Temporal, so they hold opaque ids and enum values only, never
 * phone numbers, names or message content.
 */
export const INSTANCE_ID = defineSearchAttributeKey('DskInstanceId', SearchAttributeType.KEYWORD);
export const CHANNEL_ID = defineSearchAttributeKey('ChannelId', SearchAttributeType.KEYWORD);
export const CHANNEL_TYPE = defineSearchAttributeKey('ChannelType', SearchAttributeType.KEYWORD);
export const STATUS = defineSearchAttributeKey('IntegrationStatus', SearchAttributeType.KEYWORD);
export const EVENT_KIND = defineSearchAttributeKey('EventKind', SearchAttributeType.KEYWORD);

export const ALL_SEARCH_ATTRIBUTES = [INSTANCE_ID, CHANNEL_ID, CHANNEL_TYPE, STATUS, EVENT_KIND] as const;

/** `Name=Type` pairs in the form `temporal server start-dev --search-attribute` expects. */
export function searchAttributeFlags(): string[] {
  return ALL_SEARCH_ATTRIBUTES.map((key) => `${key.name}=Keyword`);
}
