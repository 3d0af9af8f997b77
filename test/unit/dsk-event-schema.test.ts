import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { z } from 'zod';
import {
  dskChannelSchema,
  dskEnvelopeBaseShape,
  dskEnvelopeSchema,
  dskEventDataSchemas,
  dskEventTypeSchema,
} from '../../src/dsk/envelope-schema.js';
import { splitWebhook } from '../../src/meta/webhook/split.js';
import { DSK_EVENT_TYPES, EVENT_KINDS, type InboundEvent } from '../../src/shared/inbound-events.js';
import * as sender from '../support/meta-webhook-sender.js';

/*
 * The JSON Schema in docs/schemas is the published contract; src/dsk/envelope-schema.ts is its zod
 * mirror. No JSON-Schema validator is installed, so instead of validating examples against the JSON
 * Schema directly, the two are compared structurally (every object's properties, required list and
 * closedness, every enum, const, string format and array item) and examples are validated with zod.
 */

type JsonSchema = { [keyword: string]: unknown };
type AnyZod = z.ZodType;

const SCHEMA_URL = new URL('../../../docs/schemas/dsk-event.v1.schema.json', import.meta.url);
const EXAMPLES_URL = new URL('../../../docs/schemas/examples/', import.meta.url);
const jsonSchema = JSON.parse(readFileSync(SCHEMA_URL, 'utf8')) as JsonSchema;

function resolve(node: JsonSchema, root: JsonSchema): JsonSchema {
  let current = node;
  while (typeof current.$ref === 'string') {
    const name = current.$ref.replace(/^#\/\$defs\//, '');
    const target = (root.$defs as Record<string, JsonSchema> | undefined)?.[name];
    if (!target) throw new Error(`unresolvable $ref ${current.$ref}`);
    current = target;
  }
  return current;
}

interface ZodDefLike {
  type: string;
  shape?: Record<string, AnyZod>;
  catchall?: AnyZod;
  element?: AnyZod;
  innerType?: AnyZod;
  entries?: Record<string, string>;
  values?: unknown[];
  format?: string;
}

function defOf(schema: AnyZod): ZodDefLike {
  return (schema as unknown as { _zod: { def: ZodDefLike } })._zod.def;
}

function isOptional(schema: AnyZod): boolean {
  return (schema as unknown as { _zod: { optin?: string } })._zod.optin === 'optional';
}

const sorted = (values: Iterable<string>) => [...values].sort();

/** Every structural difference between a JSON Schema node and a zod schema, as readable lines. */
function drift(json: JsonSchema, zod: AnyZod, path: string, root: JsonSchema = jsonSchema): string[] {
  const node = resolve(json, root);
  const def = defOf(zod);
  const problems: string[] = [];
  const expectType = (type: string) => {
    if (node.type !== type) problems.push(`${path}: JSON type ${String(node.type)}, zod ${type}`);
  };
  switch (def.type) {
    case 'optional':
      return drift(node, def.innerType as AnyZod, path, root);
    case 'object': {
      expectType('object');
      const shape = def.shape ?? {};
      const properties = (node.properties ?? {}) as Record<string, JsonSchema>;
      const zodKeys = sorted(Object.keys(shape));
      const jsonKeys = sorted(Object.keys(properties));
      if (zodKeys.join() !== jsonKeys.join()) problems.push(`${path}: properties zod [${zodKeys}] JSON [${jsonKeys}]`);
      const zodRequired = sorted(zodKeys.filter((key) => !isOptional(shape[key] as AnyZod)));
      const jsonRequired = sorted((node.required as string[] | undefined) ?? []);
      if (zodRequired.join() !== jsonRequired.join()) problems.push(`${path}: required zod [${zodRequired}] JSON [${jsonRequired}]`);
      const zodClosed = def.catchall !== undefined && defOf(def.catchall).type === 'never';
      if (zodClosed !== (node.additionalProperties === false)) problems.push(`${path}: closed zod ${zodClosed} JSON ${node.additionalProperties === false}`);
      for (const key of zodKeys) {
        if (properties[key]) problems.push(...drift(properties[key], shape[key] as AnyZod, `${path}.${key}`, root));
      }
      return problems;
    }
    case 'array':
      expectType('array');
      return [...problems, ...drift((node.items ?? {}) as JsonSchema, def.element as AnyZod, `${path}[]`, root)];
    case 'string': {
      expectType('string');
      const format = def.format === 'datetime' ? 'date-time' : def.format;
      if (format !== node.format) problems.push(`${path}: format zod ${format} JSON ${String(node.format)}`);
      const bounds = zod as unknown as { minLength: number | null; maxLength: number | null };
      if ((bounds.minLength ?? undefined) !== node.minLength) problems.push(`${path}: minLength zod ${bounds.minLength} JSON ${String(node.minLength)}`);
      if ((bounds.maxLength ?? undefined) !== node.maxLength) problems.push(`${path}: maxLength zod ${bounds.maxLength} JSON ${String(node.maxLength)}`);
      return problems;
    }
    case 'number':
    case 'boolean':
      expectType(def.type);
      return problems;
    case 'enum': {
      const zodValues = Object.values(def.entries ?? {});
      if (JSON.stringify(zodValues) !== JSON.stringify(node.enum)) problems.push(`${path}: enum zod ${JSON.stringify(zodValues)} JSON ${JSON.stringify(node.enum)}`);
      return problems;
    }
    case 'literal':
      if (def.values?.length !== 1 || def.values[0] !== node.const) problems.push(`${path}: const zod ${JSON.stringify(def.values)} JSON ${JSON.stringify(node.const)}`);
      return problems;
    case 'unknown': {
      const constraints = Object.keys(node).filter((keyword) => keyword !== 'description');
      if (constraints.length > 0) problems.push(`${path}: zod unknown, JSON constrains [${constraints}]`);
      return problems;
    }
    default:
      return [`${path}: zod type ${def.type} is not compared; extend drift()`];
  }
}

const topProperties = jsonSchema.properties as Record<string, JsonSchema>;
const variants = jsonSchema.oneOf as Array<{ properties: { type: { const: string }; data: JsonSchema } }>;

function exampleFiles(): string[] {
  return readdirSync(EXAMPLES_URL).filter((name) => name.endsWith('.json')).sort();
}

function readExample(name: string): unknown {
  return JSON.parse(readFileSync(new URL(name, EXAMPLES_URL), 'utf8'));
}

describe('DSK event schema (docs/schemas/dsk-event.v1.schema.json)', () => {
  it('is a versioned draft 2020-12 schema whose version is 1', () => {
    assert.equal(jsonSchema.$schema, 'https://json-schema.org/draft/2020-12/schema');
    assert.match(String(jsonSchema.$id), /dsk-event:v1$/);
    assert.deepEqual(topProperties.version, { const: 1 });
  });

  it('lists the same event types as the zod schema and the TypeScript types, every inbound kind included', () => {
    assert.deepEqual((topProperties.type as { enum: string[] }).enum, dskEventTypeSchema.options);
    assert.deepEqual(dskEventTypeSchema.options, [...DSK_EVENT_TYPES]);
    for (const kind of EVENT_KINDS) assert.ok(dskEventTypeSchema.options.includes(kind), kind);
    assert.deepEqual(sorted(Object.keys(dskEventDataSchemas)), sorted(DSK_EVENT_TYPES));
  });

  it('requires the same envelope fields as the zod schema', () => {
    const zodRequired = sorted([...Object.keys(dskEnvelopeBaseShape), 'type', 'data']);
    assert.deepEqual(sorted(jsonSchema.required as string[]), zodRequired);
    assert.deepEqual(sorted(Object.keys(topProperties)), zodRequired);
    assert.equal(jsonSchema.additionalProperties, false);
  });

  it('describes the envelope fields as the zod schema does', () => {
    const problems = Object.entries(dskEnvelopeBaseShape).flatMap(([key, schema]) => drift(topProperties[key] as JsonSchema, schema, key));
    problems.push(...drift({ $ref: '#/$defs/Channel' }, dskChannelSchema, 'channel'));
    assert.deepEqual(problems, []);
  });

  it('has exactly one oneOf variant per type', () => {
    assert.deepEqual(
      variants.map((variant) => variant.properties.type.const),
      [...DSK_EVENT_TYPES],
    );
  });

  for (const type of DSK_EVENT_TYPES) {
    it(`defines data of ${type} exactly as the zod schema does (properties, required, enums, nesting)`, () => {
      const variant = variants.find((candidate) => candidate.properties.type.const === type);
      assert.ok(variant, `no oneOf variant for ${type}`);
      assert.deepEqual(drift(variant.properties.data, dskEventDataSchemas[type], `${type}.data`), []);
    });
  }

  it('notices drift: an extra required field, a changed enum and an open object are all reported', () => {
    const changed = z.strictObject({ ...dskEventDataSchemas['message.deleted'].shape, extra: z.string() });
    assert.deepEqual(drift({ $ref: '#/$defs/DeleteData' }, changed, 'data'), [
      'data: properties zod [echo,extra,message_id,recipient,revoke_id,sender,standby] JSON [echo,message_id,recipient,revoke_id,sender,standby]',
      'data: required zod [extra,message_id,sender] JSON [message_id,sender]',
    ]);
    const statusEnum = z.strictObject({ ...dskEventDataSchemas['message.status'].shape, status: z.enum(['sent', 'delivered']) });
    assert.deepEqual(drift({ $ref: '#/$defs/StatusData' }, statusEnum, 'data'), [
      'data.status: enum zod ["sent","delivered"] JSON ["sent","delivered","read","played","failed","accepted","unknown"]',
    ]);
    const open = z.object(dskEventDataSchemas['channel.status'].shape);
    assert.deepEqual(drift({ $ref: '#/$defs/ChannelStatusData' }, open, 'data'), ['data: closed zod false JSON true']);
  });
});

describe('DSK event examples (docs/schemas/examples)', () => {
  // A type whose data has more than one source gets one more example per variant: `<type>.<variant>.json`.
  const VARIANTS: Record<string, string[]> = { 'message.status': ['send-outcome'], 'message.received': ['instagram-image'] };
  const examplesOf = (type: string) => [`${type}.json`, ...(VARIANTS[type] ?? []).map((variant) => `${type}.${variant}.json`)];

  it('has one example per event type (and per variant), named after it', () => {
    assert.deepEqual(exampleFiles(), sorted(DSK_EVENT_TYPES.flatMap(examplesOf)));
  });

  for (const [type, file] of DSK_EVENT_TYPES.flatMap((type) => examplesOf(type).map((file) => [type, file] as const))) {
    it(`${file} is a valid envelope of type ${type}`, () => {
      const example = readExample(file);
      const parsed = dskEnvelopeSchema.safeParse(example);
      assert.ok(parsed.success, parsed.success ? '' : z.prettifyError(parsed.error));
      assert.equal(parsed.data.type, type);
      assert.deepEqual(parsed.data, example, 'strict parse keeps every field');
    });
  }

  it('rejects envelopes that break the contract', () => {
    const example = readExample('message.received.json') as Record<string, unknown>;
    const data = example.data as Record<string, unknown>;
    const broken: Array<[string, unknown]> = [
      ['unknown type', { ...example, type: 'message.unknown' }],
      ['version 2', { ...example, version: 2 }],
      ['no raw', Object.fromEntries(Object.entries(example).filter(([key]) => key !== 'raw'))],
      ['extra data field', { ...example, data: { ...data, extra: true } }],
      ['data of another type', { ...example, type: 'message.status' }],
      ['occurred_at not a date-time', { ...example, occurred_at: 'yesterday' }],
      ['id longer than 200', { ...example, id: 'x'.repeat(201) }],
    ];
    for (const [name, envelope] of broken) assert.equal(dskEnvelopeSchema.safeParse(envelope).success, false, name);
  });
});

/** A payload recorded from (or documented by) Meta, test/fixtures/meta-real/SOURCES.md. */
const realPayload = (path: string): unknown => JSON.parse(readFileSync(new URL(`../../../test/fixtures/meta-real/${path}`, import.meta.url), 'utf8'));

describe('events from splitWebhook fit the DSK envelope', () => {
  const { WA, IG } = sender;
  const mid = sender.newMid();
  const payloads: unknown[] = [
    sender.waBatch([
      sender.waEntry({ time: 1785312180 }, [
        sender.waMessagesChange({
          contacts: [sender.waContact({ userId: WA.customerUserId, username: 'ana.b' })],
          messages: [
            sender.waTextMessage({ context: { from: WA.displayPhoneNumber, id: 'wamid.ctx', forwarded: true }, referral: sender.waReferral() }),
            sender.waImageMessage(),
            sender.waAudioMessage(),
            sender.waVideoMessage(),
            sender.waDocumentMessage(),
            sender.waStickerMessage(),
            sender.waLocationMessage(),
            sender.waContactsMessage(),
            sender.waButtonReplyMessage(),
            sender.waListReplyMessage(),
            sender.waFlowReplyMessage(),
            sender.waInteractiveMessage({ type: 'call_permission_reply', call_permission_reply: { response: 'accept' } }),
            sender.waButtonMessage(),
            sender.waReactionMessage({ reactedWamid: 'wamid.r', emoji: '👍' }),
            sender.waReactionMessage({ reactedWamid: 'wamid.r' }),
            sender.waOrderMessage(),
            sender.waSystemMessage(),
            sender.waRequestWelcomeMessage(),
            sender.waUnsupportedMessage(),
            sender.waMessage('poll', { question: '?' }),
          ],
          statuses: [
            sender.waStatus({ wamid: 'wamid.s', status: 'sent', conversation: sender.WA_CONVERSATION, pricing: sender.WA_PRICING, bizOpaqueCallbackData: 'x' }),
            sender.waStatus({ wamid: 'wamid.s', status: 'failed', errors: [sender.waError(131047, 'Re-engagement message')] }),
            sender.waStatus({ wamid: 'wamid.s', status: 'read', recipientId: null, recipientUserId: WA.customerUserId }),
          ],
          errors: [sender.waError(130429, 'Rate limit hit')],
        }),
        { field: 'history', value: {} },
      ]),
    ]),
    sender.waAccountUpdate({ event: 'PARTNER_REMOVED', disconnectionInfo: { reason: 'USER_REMOVED', initiated_by: 'USER' } }),
    sender.waTemplateStatusUpdate(),
    sender.waQualityUpdate(),
    sender.igEnvelope({ standby: [sender.igPostback({ payload: undefined })], changes: [sender.igComment()] }, [
      sender.igMessage({ mid, replyTo: { mid: 'm0' }, quickReply: { payload: 'Q' }, referral: sender.igAdReferral() }),
      sender.igMessage({ attachments: [sender.igAttachment('image'), sender.igAttachment('share'), sender.igAttachment('avatar_sticker')] }),
      sender.igMessage({ isUnsupported: true, replyTo: { story: { id: '1', url: 'https://cdn.example/s' } } }),
      sender.igEcho(),
      sender.igDeleted({ mid }),
      sender.igEdit({ mid }),
      sender.igReaction({ mid }),
      sender.igReaction({ mid, action: 'unreact' }),
      sender.igRead({ mid }),
      sender.igPostback(),
      sender.igReferral(),
      { sender: { id: IG.customerId }, optin: { ref: 'x' } },
    ]),
    sender.igEnvelope({ object: 'page' }, [{ sender: { id: '1' }, recipient: { id: '2' }, timestamp: 1785312190662, read: { watermark: 1785312100000 } }]),
    sender.igEnvelope({}, [{ sender: { id: IG.customerId }, recipient: { id: IG.accountId }, timestamp: 1785312190662, take_thread_control: { previous_owner_app_id: '1', metadata: 'm' } }]),
    ...['edit', 'revoke', 'smb-message-echoes-text', 'smb-message-echoes-edit', 'history', 'user-id-update', 'template-category-update', 'template-quality-update', 'system-identity-changed'].map((name) =>
      realPayload(`whatsapp/${name}.json`),
    ),
    { object: 'permissions', entry: [] },
    null,
  ];

  function envelopeOf(event: InboundEvent): unknown {
    return {
      id: event.key,
      type: event.kind,
      version: 1,
      instance_id: 'inst_1',
      channel: { id: 'ch_1', type: event.channelType === 'instagram' ? 'instagram' : 'whatsapp', external_id: event.businessId },
      occurred_at: event.occurredAt,
      received_at: event.receivedAt,
      data: event.data,
      raw: event.raw,
    };
  }

  it('covers every inbound event kind', () => {
    const kinds = new Set(payloads.flatMap((payload) => splitWebhook(payload, { receivedAt: new Date() }).map((event) => event.kind)));
    assert.deepEqual(sorted(kinds), sorted(EVENT_KINDS));
  });

  it('produces only envelopes the schema accepts', () => {
    const failures = payloads
      .flatMap((payload) => splitWebhook(payload, { receivedAt: new Date('2026-07-29T08:03:12Z') }))
      .flatMap((event) => {
        const parsed = dskEnvelopeSchema.safeParse(envelopeOf(event));
        return parsed.success ? [] : [`${event.key}: ${z.prettifyError(parsed.error)}`];
      });
    assert.deepEqual(failures, []);
  });
});
