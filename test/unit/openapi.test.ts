import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import type Router from '@koa/router';
import type Koa from 'koa';
import { createApp } from '../../src/api/app.js';
import { ApiError } from '../../src/api/errors.js';
import { metaFailureToApiError } from '../../src/api/meta-errors.js';
import type { GraphOperation } from '../../src/meta/graph/errors.js';
import { SEND_ERROR_CODES } from '../../src/meta/graph/failure.js';
import { channelMediaRoutes } from '../../src/api/routes/channel-media.js';
import { channelRoutes } from '../../src/api/routes/channels.js';
import { connectionRoutes } from '../../src/api/routes/connections.js';
import { deliveryRoutes } from '../../src/api/routes/deliveries.js';
import { instanceRoutes } from '../../src/api/routes/instance.js';
import { mediaRoutes } from '../../src/api/routes/media.js';
import { messageRoutes, SEND_FAILURE_STATUS } from '../../src/api/routes/messages.js';
import { loadOpenApiDocument, openApiRoutes, type OpenApiDocument as ServedDocument } from '../../src/api/routes/openapi.js';
import { wellKnownRoutes } from '../../src/api/routes/well-known.js';
import { templateRoutes } from '../../src/api/routes/templates.js';
import { businessProfileRoutes } from '../../src/api/routes/business-profile.js';
import { storedMediaRoutes } from '../../src/api/routes/stored-media.js';
import { customerWindowRoutes } from '../../src/api/routes/customer-windows.js';
import type { ChannelRow } from '../../src/db/channels.js';
import { projectRoot } from '../../dev/infra/tools.js';
import { createLogger } from '../../src/logger.js';
import { CLIENT_TYPES_PATH, clientTypes, generatedOpenApi, OPENAPI_PATH, readEventExamples } from '../../scripts/openapi-events.js';
import { resolvePointer, validate, type JsonSchema } from '../support/json-schema.js';
import {
  deref,
  errorCodes,
  operations,
  readOpenApi,
  toTemplate,
  type MediaTypeObject,
  type OpenApiOperation,
  type ParameterObject,
} from '../support/openapi.js';

/*
 * docs/openapi.json is generated from the operations the route modules declare (src/api/openapi).
 * These tests tie it to the code: the committed file is the generated one, and the declarations
 * match the routers' own route tables, the error codes the route modules throw, and the constraints
 * their zod schemas enforce (probed at the boundaries the document states, through the real routers).
 */

const doc = readOpenApi();
const ROUTES_DIR = path.join(projectRoot(), 'src', 'api', 'routes');
const log = createLogger({ level: 'silent', name: 'openapi-test' });

/** Thrown by every fake dependency: the request got past validation and reached the handler's I/O. */
class ReachedDependencies extends ApiError {
  constructor(what: string) {
    super(418, 'reached_dependencies', `reached ${what}`);
  }
}

/** A dependency whose every member throws `ReachedDependencies`, except the given overrides. */
function inert<T>(name: string, overrides: Record<string, unknown> = {}): T {
  return new Proxy(overrides, {
    get(target, prop) {
      if (prop === 'then') return undefined;
      if (typeof prop === 'string' && prop in target) return target[prop];
      return () => {
        throw new ReachedDependencies(`${name}.${String(prop)}`);
      };
    },
  }) as T;
}

const FAKE_CHANNEL: ChannelRow = {
  id: '3f2b6c1e-9a4d-4e8b-b1c2-7d5e9f0a1b2c',
  instanceId: 'instance-probe',
  connectionId: '8d0f5a7e-2c41-4b9e-9f3a-6b1d2e4c5a70',
  channelType: 'whatsapp',
  externalId: '106540352242922',
  wabaId: '102290129340398',
  pageId: null,
  businessId: null,
  displayName: 'Probe',
  phoneNumber: null,
  username: null,
  labels: {},
  verification: {},
  status: 'active',
  tokenKeyId: null,
  tokenKind: null,
  tokenExpiresAt: null,
  tokenCheckedAt: null,
  hasToken: true,
  createdAt: new Date('2026-07-01T00:00:00Z'),
  updatedAt: new Date('2026-07-01T00:00:00Z'),
  disconnectedAt: null,
};

/**
 * Every module in src/api/routes, by whether docs/openapi.json describes it. A new module fails the
 * "accounts for every route module" test until it is placed here (and, if DSK-facing, documented).
 */
const DSK_ROUTERS: Record<string, () => Router> = {
  'instance.ts': () => instanceRoutes({ instances: inert('instances'), egress: inert('egress'), dsk: inert('dsk') }),
  'connections.ts': () =>
    connectionRoutes({
      connections: inert('connections'),
      sessions: inert('sessions'),
      channels: inert('channels', { getForInstance: async () => FAKE_CHANNEL }),
      workflows: inert('workflows'),
      publicBaseUrl: 'https://meta.example.com',
      // Every flow, so any documented `flow` is accepted and only the document's constraints decide.
      enabledFlows: ['whatsapp_embedded_signup', 'instagram_facebook_login', 'instagram_login'],
      sessionTtlMs: 30 * 60 * 1000,
      clock: () => new Date('2026-07-29T08:03:09Z'),
    }),
  'channels.ts': () =>
    channelRoutes({
      channels: inert('channels', { getForInstance: async () => FAKE_CHANNEL }),
      webhookLog: inert('webhookLog'),
      messageStatus: inert('messageStatus'),
      outboundSends: inert('outboundSends'),
      workflows: inert('workflows'),
      clock: () => new Date('2026-07-29T08:03:09Z'),
    }),
  'deliveries.ts': () => deliveryRoutes({ redelivery: inert('redelivery') }),
  'media.ts': () => mediaRoutes({ channels: inert('channelTokens'), vault: inert('vault'), adapters: inert('adapters'), log }),
  'messages.ts': () =>
    messageRoutes({
      channels: inert('channels', { getForInstance: async () => FAKE_CHANNEL }),
      sends: inert('sends'),
      deliveryHorizon: '1 hour',
    }),
  'channel-media.ts': () =>
    channelMediaRoutes({ channels: inert('channelTokens'), vault: inert('vault'), adapters: inert('adapters'), clock: () => new Date('2026-07-29T08:03:09Z'), log }),
  'templates.ts': () => templateRoutes({ channels: inert('channels'), templates: inert('templates'), log }),
  'business-profile.ts': () => businessProfileRoutes({ channels: inert('channels'), vault: inert('vault'), adapters: inert('adapters'), log }),
  'customer-windows.ts': () =>
    customerWindowRoutes({ channels: inert('channels', { getForInstance: async () => FAKE_CHANNEL }), windows: inert('windows'), clock: () => new Date('2026-07-29T08:03:09Z') }),
  'stored-media.ts': () =>
    storedMediaRoutes({ channels: inert('channels'), objects: inert('objects'), store: inert('store'), vault: inert('vault'), adapters: inert('adapters'), clock: () => new Date('2026-07-29T08:03:09Z'), log }),
};
const PUBLIC_DOCUMENTED_ROUTERS: Record<string, () => Router> = {
  'well-known.ts': () => wellKnownRoutes({ signingKey: inert('signingKey') }),
  'openapi.ts': () => openApiRoutes({ document: doc as unknown as ServedDocument }),
};
/** Not DSK's contract: Meta's webhooks and callbacks, the end user's pages, operators' endpoints. */
const NOT_DOCUMENTED = ['codec.ts', 'connect-pages.ts', 'health.ts', 'meta-callbacks.ts', 'meta-webhooks.ts', 'metrics.ts', 'privacy.ts'];

/** `GET /v1/channels/{id}` per registered route; HEAD is implied by GET (koa-router adds it). */
function registeredRoutes(routers: Record<string, () => Router>): Map<string, string> {
  const byRoute = new Map<string, string>();
  for (const [file, build] of Object.entries(routers)) {
    for (const layer of build().stack) {
      if (typeof layer.path !== 'string') throw new Error(`${file} registers a RegExp route, which OpenAPI cannot describe`);
      for (const method of layer.methods.filter((m) => m !== 'HEAD')) byRoute.set(`${method} ${toTemplate(layer.path)}`, file);
    }
  }
  return byRoute;
}

const dskRoutes = registeredRoutes(DSK_ROUTERS);
const publicRoutes = registeredRoutes(PUBLIC_DOCUMENTED_ROUTERS);
const documented = operations(doc);
const v1Operations = documented.filter((o) => o.path.startsWith('/v1/'));

function parametersOf(op: OpenApiOperation): ParameterObject[] {
  return (op.parameters ?? []).map((p) => deref<ParameterObject>(doc, p));
}

function sourceOf(file: string): string {
  return readFileSync(path.join(ROUTES_DIR, file), 'utf8');
}

describe('docs/openapi.json', () => {
  it('is an OpenAPI 3.1 document the API loads at startup', () => {
    const raw = readFileSync(OPENAPI_PATH, 'utf8');
    assert.doesNotThrow(() => JSON.parse(raw));
    assert.match(doc.openapi, /^3\.1\.\d+$/);
    assert.ok(doc.info.title && doc.info.version);
    assert.deepEqual(loadOpenApiDocument(OPENAPI_PATH), JSON.parse(raw));
  });

  it('resolves every $ref and has unique operation ids', () => {
    const refs: string[] = [];
    (function collect(node: unknown): void {
      if (Array.isArray(node)) node.forEach(collect);
      else if (node && typeof node === 'object') {
        for (const [key, value] of Object.entries(node)) {
          if (key === '$ref' && typeof value === 'string') refs.push(value);
          else collect(value);
        }
      }
    })(doc);
    assert.ok(refs.length > 50);
    for (const ref of refs) assert.doesNotThrow(() => resolvePointer(doc, ref), ref);
    const ids = [...documented, { op: doc.webhooks.dskEvent!.post! }].map((o) => o.op.operationId);
    assert.equal(new Set(ids).size, ids.length, `duplicate operationId in ${ids.join(', ')}`);
  });

  it('accounts for every route module as documented or deliberately not', () => {
    const files = readdirSync(ROUTES_DIR).filter((f) => f.endsWith('.ts')).sort();
    const classified = [...Object.keys(DSK_ROUTERS), ...Object.keys(PUBLIC_DOCUMENTED_ROUTERS), ...NOT_DOCUMENTED].sort();
    assert.deepEqual(files, classified, 'a route module was added or removed: classify it in this test (DSK-facing modules must be documented)');
  });

  it('documents exactly the routes the DSK routers register, with the same methods and path templates', () => {
    for (const route of dskRoutes.keys()) assert.match(route, /^[A-Z]+ \/v1\//, `${route} is outside /v1, where DSK auth applies`);
    assert.deepEqual(
      v1Operations.map((o) => `${o.method} ${o.path}`).sort(),
      [...dskRoutes.keys()].sort(),
    );
  });

  it('documents exactly the public routes of the JWKS and OpenAPI routers', () => {
    assert.deepEqual(
      documented.filter((o) => !o.path.startsWith('/v1/')).map((o) => `${o.method} ${o.path}`).sort(),
      [...publicRoutes.keys()].sort(),
    );
  });

  it('declares every path template parameter, and no other path parameter', () => {
    for (const { method, path: template, op } of documented) {
      const inTemplate = [...template.matchAll(/\{([^}]+)\}/g)].map((m) => m[1]).sort();
      const declared = parametersOf(op).filter((p) => p.in === 'path');
      assert.deepEqual(declared.map((p) => p.name).sort(), inTemplate, `${method} ${template}`);
      for (const p of declared) assert.equal(p.required, true, `${method} ${template} path parameter ${p.name} must be required`);
    }
  });

  it('requires the DSK bearer token on every /v1 operation and documents its 401, 503 and 500', () => {
    const authCodes = /export type DskAuthErrorCode =([^;]+);/.exec(readFileSync(path.join(projectRoot(), 'src/api/middleware/dsk-auth.ts'), 'utf8'));
    assert.ok(authCodes, 'DskAuthErrorCode not found in dsk-auth.ts');
    const all = [...authCodes[1]!.matchAll(/'([a-z_]+)'/g)].map((m) => m[1]!);
    const unauthorized = all.filter((c) => c !== 'auth_unavailable').sort();
    assert.ok(unauthorized.includes('missing_token'));
    for (const { method, path: template, op } of v1Operations) {
      const where = `${method} ${template}`;
      assert.deepEqual(op.security, [{ dskBearer: [] }], where);
      assert.deepEqual(errorCodes(doc, op.responses['401']).sort(), unauthorized, `${where} 401 codes`);
      assert.deepEqual(errorCodes(doc, op.responses['503']), ['auth_unavailable'], `${where} 503`);
      assert.deepEqual(errorCodes(doc, op.responses['500']), ['internal'], `${where} 500`);
    }
    const scheme = doc.components.securitySchemes.dskBearer!;
    assert.equal(scheme.type, 'http');
    assert.equal(scheme.scheme, 'bearer');
    assert.equal(scheme.bearerFormat, 'JWT');
    assert.deepEqual(scheme['x-required-claims'], ['iss', 'aud', 'exp', 'iat', 'instance_id']);
  });

  it('marks the public operations as needing no authentication', () => {
    for (const { method, path: template, op } of documented.filter((o) => !o.path.startsWith('/v1/'))) {
      assert.deepEqual(op.security, [], `${method} ${template}`);
    }
  });

  it('documents every (status, code) the DSK route modules throw, on an operation of that module', () => {
    for (const file of Object.keys(DSK_ROUTERS)) {
      const thrown = [...sourceOf(file).matchAll(/new ApiError\(\s*(\d{3}),\s*'([a-z_]+)'/g)].map((m) => `${m[1]} ${m[2]}`);
      const ops = v1Operations.filter((o) => dskRoutes.get(`${o.method} ${o.path}`) === file);
      const documentedHere = new Set(ops.flatMap(({ op }) => Object.entries(op.responses).flatMap(([status, r]) => errorCodes(doc, r).map((c) => `${status} ${c}`))));
      for (const pair of thrown) assert.ok(documentedHere.has(pair), `${file} throws ${pair}, which none of its operations documents`);
    }
  });

  it('documents every (status, code) a Meta failure is answered with on the routes that call Meta', () => {
    const calls: Record<string, GraphOperation[]> = {
      'GET /v1/media/{channelId}/{mediaId}': ['getMediaInfo', 'downloadMedia'],
      'POST /v1/channels/{id}/media': ['uploadMedia'],
      'GET /v1/channels/{id}/media/{mediaId}': ['getMediaInfo', 'downloadMedia'],
      'GET /v1/channels/{id}/templates': ['listTemplates'],
      'POST /v1/channels/{id}/templates': ['createTemplate'],
      'DELETE /v1/channels/{id}/templates/{name}': ['deleteTemplate'],
      'GET /v1/channels/{id}/profile': ['getBusinessProfile'],
      'PATCH /v1/channels/{id}/profile': ['updateBusinessProfile', 'getBusinessProfile'],
      'PUT /v1/channels/{id}/profile/photo': ['uploadFile', 'updateBusinessProfile', 'getBusinessProfile'],
    };
    for (const [route, operations] of Object.entries(calls)) {
      const found = v1Operations.find((o) => `${o.method} ${o.path}` === route);
      assert.ok(found, `${route} is not documented`);
      const documentedHere = new Set(Object.entries(found.op.responses).flatMap(([status, r]) => errorCodes(doc, r).map((c) => `${status} ${c}`)));
      for (const operation of operations) {
        for (const code of [...SEND_ERROR_CODES, 'media_not_found'] as const) {
          const answer = metaFailureToApiError({ code, errorClass: 'unknown', retryable: false, action: 'fail', meta_code: null, meta_subcode: null, reason: 'r', operation });
          assert.ok(documentedHere.has(`${answer.status} ${answer.code}`), `${route}: ${operation} failing with ${code} is answered ${answer.status} ${answer.code}, which is not documented`);
        }
      }
    }
  });

  it('documents only error codes that the route module, validation, error mapping or auth can produce', () => {
    const shared = ['validate.ts', 'errors.ts', 'meta-errors.ts', 'middleware/dsk-auth.ts', 'middleware/instance-quota.ts'].map((f) => readFileSync(path.join(projectRoot(), 'src/api', f), 'utf8')).join('\n');
    for (const { method, path: template, op } of v1Operations) {
      const source = `${sourceOf(dskRoutes.get(`${method} ${template}`)!)}\n${shared}`;
      for (const [status, response] of Object.entries(op.responses)) {
        for (const code of errorCodes(doc, response)) {
          if (code === 'internal') continue;
          assert.ok(source.includes(`'${code}'`), `${method} ${template} documents ${status} ${code}, which no source produces`);
        }
      }
    }
  });

  it('documents the body errors on operations with a JSON body and 422 where input is validated', () => {
    for (const { method, path: template, op } of v1Operations) {
      const where = `${method} ${template}`;
      if (op.requestBody) {
        assert.equal(op.requestBody.required, true, where);
        if (op.requestBody.content['application/json']) {
          assert.deepEqual(Object.keys(op.requestBody.content), ['application/json'], where);
          assert.deepEqual(errorCodes(doc, op.responses['400']).sort(), ['invalid_json', 'invalid_request_size'], where);
          assert.deepEqual(errorCodes(doc, op.responses['413']), ['payload_too_large'], where);
        } else {
          // A raw upload (the body is the file itself): its types are listed, its size has a code of its own.
          assert.ok(Object.keys(op.requestBody.content).every((type) => /^[a-z]+\/[a-z0-9.+-]+$/.test(type)), where);
          assert.equal(errorCodes(doc, op.responses['413']).length, 1, where);
        }
        assert.deepEqual(errorCodes(doc, op.responses['415']), ['unsupported_media_type'], where);
      }
      if (op.requestBody || parametersOf(op).length > 0) {
        assert.deepEqual(errorCodes(doc, op.responses['422']), ['validation_failed'], where);
      }
    }
  });

  it('gives every operation a 2xx response and every JSON response, request body and parameter an example', () => {
    for (const { method, path: template, op } of [...documented, { method: 'POST', path: 'webhook dskEvent', op: doc.webhooks.dskEvent!.post! }]) {
      const where = `${method} ${template}`;
      assert.ok(op.operationId && (op as { summary?: string }).summary, `${where} needs an operationId and a summary`);
      assert.ok(Object.keys(op.responses).some((s) => /^2(\d\d|XX)$/.test(s)), `${where} has no 2xx response`);
      const media: Array<[string, MediaTypeObject]> = [
        ...Object.entries(op.requestBody?.content ?? {}).map(([type, m]) => [`${where} request ${type}`, m] as [string, MediaTypeObject]),
        ...Object.entries(op.responses).flatMap(([status, r]) =>
          Object.entries(deref(doc, r).content ?? {}).map(([type, m]) => [`${where} ${status} ${type}`, m] as [string, MediaTypeObject]),
        ),
      ];
      for (const [label, m] of media) {
        if (!label.endsWith('application/json') || label.includes('/openapi.json 200')) continue;
        assert.ok(Object.keys(m.examples ?? {}).length > 0, `${label} has no example`);
      }
      for (const p of parametersOf(op).filter((p) => p.in === 'path')) {
        assert.ok((p as { example?: unknown }).example !== undefined, `${where} path parameter ${p.name} has no example`);
      }
    }
  });

  it('has examples that validate against their own schemas', () => {
    const checked: string[] = [];
    const check = (label: string, schema: JsonSchema | undefined, value: unknown) => {
      if (schema === undefined) return;
      assert.deepEqual(validate(schema, value, doc), [], label);
      checked.push(label);
    };
    const walkMedia = (label: string, content: Record<string, MediaTypeObject> | undefined) => {
      for (const [type, m] of Object.entries(content ?? {})) {
        for (const [name, example] of Object.entries(m.examples ?? {})) check(`${label} ${type} example ${name}`, m.schema, example.value);
      }
    };
    const all = [...documented, { method: 'POST', path: 'webhook dskEvent', op: doc.webhooks.dskEvent!.post! }];
    for (const { method, path: template, op } of all) {
      walkMedia(`${method} ${template} request`, op.requestBody?.content);
      for (const [status, response] of Object.entries(op.responses)) walkMedia(`${method} ${template} ${status}`, deref(doc, response).content);
      for (const p of parametersOf(op)) {
        const example = (p as { example?: unknown }).example;
        if (example !== undefined) check(`${method} ${template} parameter ${p.name}`, p.schema, example);
      }
    }
    assert.ok(checked.length > 60, `only ${checked.length} examples checked`);
  });

  it('is exactly what the route declarations generate (else run `npm run openapi`)', async () => {
    const generated = generatedOpenApi();
    assert.equal(readFileSync(OPENAPI_PATH, 'utf8'), `${JSON.stringify(generated, null, 2)}\n`, 'docs/openapi.json is out of date with src/api/openapi or docs/schemas: `npm run openapi`');
    assert.equal(readFileSync(CLIENT_TYPES_PATH, 'utf8'), await clientTypes(generated), 'clients/dsk-node/src/api.ts is out of date: `npm run openapi`');
  });

  it('documents every status the send route answers a failed send with', () => {
    const send = v1Operations.find((o) => o.method === 'POST' && o.path === '/v1/channels/{id}/messages')!;
    const documentedHere = new Set(Object.entries(send.op.responses).flatMap(([status, r]) => errorCodes(doc, r).map((c) => `${status} ${c}`)));
    for (const [code, status] of Object.entries(SEND_FAILURE_STATUS)) assert.ok(documentedHere.has(`${status} ${code}`), `${status} ${code} is not documented`);
  });

  it('embeds docs/schemas/dsk-event.v1.schema.json as the dskEvent webhook', () => {
    const webhook = doc.webhooks.dskEvent!.post!;
    assert.deepEqual(webhook.requestBody!.content['application/json']!.schema, { $ref: '#/components/schemas/DskEvent' });
    assert.deepEqual(webhook.security, [{ serviceJwt: [] }]);
    const idempotencyKey = parametersOf(webhook).find((p) => p.name === 'Idempotency-Key');
    assert.deepEqual(idempotencyKey && { in: idempotencyKey.in, required: idempotencyKey.required }, { in: 'header', required: true });
    // Every docs/schemas example is a valid DskEvent in the embedded form too.
    for (const [type, example] of readEventExamples()) {
      assert.deepEqual(validate({ $ref: '#/components/schemas/DskEvent' }, example, doc), [], type);
    }
  });
});

/*
 * Probes: for each documented constraint, a value just inside it must get past validation (the fake
 * dependencies answer 418 `reached_dependencies`, or the handler answers 2xx) and a value just outside
 * it must be refused with 422 and the field's path. This is what keeps "the exact constraints the zod
 * schemas enforce" honest without exporting the schemas.
 */
type Obj = { [keyword: string]: unknown };

function resolved(schema: unknown): Obj {
  let node = schema as Obj;
  const siblings: Obj[] = [];
  while (typeof node.$ref === 'string') {
    const { $ref, ...rest } = node;
    siblings.unshift(rest);
    node = resolvePointer(doc, $ref) as Obj;
  }
  return Object.assign({}, node, ...siblings) as Obj;
}

/** The alternatives a schema allows (oneOf/anyOf flattened). */
function variants(schema: unknown): Obj[] {
  const s = resolved(schema);
  const branches = (s.oneOf ?? s.anyOf) as unknown[] | undefined;
  return branches ? branches.flatMap(variants) : [s];
}

function typesOf(s: Obj): string[] {
  if (Array.isArray(s.type)) return s.type as string[];
  return typeof s.type === 'string' ? [s.type] : [];
}

/** `base` cut or extended to `length`, repeating its last character so it keeps its shape (digits stay digits). */
function pad(base: string, length: number): string {
  return base.length >= length ? base.slice(0, length) : base + (base.at(-1) ?? 'a').repeat(length - base.length);
}

interface Probe {
  label: string;
  value: unknown;
  valid: boolean;
}

/** Values just inside and just outside one field's documented constraints. */
function probesFor(schema: unknown, example: unknown, where: 'path' | 'query' | 'body'): Probe[] {
  const probes: Probe[] = [];
  const all = variants(schema);
  const string = all.find((v) => typesOf(v).includes('string'));
  const integer = all.find((v) => typesOf(v).includes('integer'));
  const object = all.find((v) => typesOf(v).includes('object'));
  const allowed = new Set(all.flatMap(typesOf));
  if (string) {
    const base = typeof example === 'string' ? example : '';
    const fits = (v: string) => validate(string as JsonSchema, v, doc).length === 0;
    if (Array.isArray(string.enum)) {
      probes.push({ label: 'not one of the enum', value: 'not-an-option', valid: false });
      if (where !== 'body') for (const option of string.enum) probes.push({ label: `enum ${String(option)}`, value: option, valid: true });
    }
    if (typeof string.pattern === 'string') {
      for (const candidate of ['!', ' ']) if (!fits(candidate)) probes.push({ label: `${JSON.stringify(candidate)} against the pattern`, value: candidate, valid: false });
    }
    if (typeof string.maxLength === 'number' && fits(pad(base, string.maxLength))) {
      probes.push({ label: `${string.maxLength} characters`, value: pad(base, string.maxLength), valid: true });
      probes.push({ label: `${string.maxLength + 1} characters`, value: pad(base, string.maxLength + 1), valid: false });
    }
    if (typeof string.minLength === 'number' && string.minLength > 0 && where !== 'path') probes.push({ label: 'empty', value: '', valid: false });
  }
  if (integer) {
    const { minimum, maximum } = integer as { minimum?: number; maximum?: number };
    if (minimum !== undefined) probes.push({ label: 'minimum', value: minimum, valid: true }, { label: 'below minimum', value: minimum - 1, valid: false });
    if (maximum !== undefined) probes.push({ label: 'maximum', value: maximum, valid: true }, { label: 'above maximum', value: maximum + 1, valid: false });
    probes.push({ label: 'a fraction', value: (minimum ?? 0) + 0.5, valid: false }, { label: 'not a number', value: 'abc', valid: false });
  }
  if (object) {
    const values = resolved(object.additionalProperties ?? {});
    const valueLength = typeof values.maxLength === 'number' ? values.maxLength : 1;
    const names = resolved(object.propertyNames ?? {});
    if (typeof object.maxProperties === 'number') {
      const entries = (n: number) => Object.fromEntries(Array.from({ length: n }, (_, i) => [`k${i}`, 'v']));
      probes.push({ label: `${object.maxProperties} properties`, value: entries(object.maxProperties), valid: true });
      probes.push({ label: `${object.maxProperties + 1} properties`, value: entries(object.maxProperties + 1), valid: false });
    }
    if (typeof names.pattern === 'string') {
      probes.push({ label: 'a key against propertyNames', value: { '!': 'v' }, valid: false });
      const longest = typeof names.pattern === 'string' && /\{1,(\d+)\}\$$/.exec(names.pattern);
      if (longest) probes.push({ label: `a ${longest[1]}-character key`, value: { [pad('k', Number(longest[1]))]: 'v' }, valid: true });
    }
    if (typeof values.maxLength === 'number') {
      probes.push({ label: `a ${valueLength}-character value`, value: { k: pad('', valueLength) }, valid: true });
      probes.push({ label: `a ${valueLength + 1}-character value`, value: { k: pad('', valueLength + 1) }, valid: false });
    }
    if (values.type === 'string') probes.push({ label: 'a non-string value', value: { k: 1 }, valid: false });
  }
  if (where === 'body') {
    if (!allowed.has('number') && !allowed.has('integer')) probes.push({ label: 'a number', value: 12345, valid: false });
    probes.push({ label: 'null', value: null, valid: allowed.has('null') });
  }
  return probes;
}

describe('docs/openapi.json constraints against the routers', () => {
  let baseUrl: string;
  let server: ReturnType<Koa['listen']>;

  before(async () => {
    const app = createApp({
      log,
      trustProxy: false,
      publicRoutes: [],
      dskAuth: async (ctx, next) => {
        ctx.state.instanceId = FAKE_CHANNEL.instanceId;
        await next();
      },
      dskRoutes: Object.values(DSK_ROUTERS).map((build) => build()),
    });
    server = app.listen(0, '127.0.0.1');
    await new Promise<void>((resolve) => server.once('listening', resolve));
    baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  after(() => new Promise<void>((resolve) => server.close(() => resolve())));

  async function send(method: string, url: string, body?: unknown): Promise<{ status: number; code?: string; paths: string[] }> {
    const res = await fetch(baseUrl + url, {
      method,
      ...(body === undefined ? {} : { headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) }),
    });
    const text = await res.text();
    const error = text.startsWith('{') ? (JSON.parse(text) as { error?: { code: string; details?: Array<{ path: string }> } }).error : undefined;
    return { status: res.status, ...(error ? { code: error.code } : {}), paths: Array.isArray(error?.details) ? error.details.map((d) => d.path) : [] };
  }

  function expectAccepted(what: string, answer: { status: number; code?: string }) {
    const passed = (answer.status >= 200 && answer.status < 300) || answer.code === 'reached_dependencies';
    assert.ok(passed, `${what}: expected to pass validation, got ${answer.status} ${answer.code ?? ''}`);
  }

  function expectRefused(what: string, answer: { status: number; code?: string; paths: string[] }, field: string) {
    assert.equal(answer.status, 422, `${what}: expected 422, got ${answer.status} ${answer.code ?? ''}`);
    assert.equal(answer.code, 'validation_failed', what);
    const onField = answer.paths.some((p) => p === field || p.startsWith(`${field}.`) || p.startsWith(`${field}[`));
    assert.ok(onField, `${what}: expected a detail on ${field}, got ${JSON.stringify(answer.paths)}`);
  }

  for (const { method, path: template, op } of v1Operations) {
    it(`${method} ${template} enforces what the document states`, async () => {
      const params = parametersOf(op);
      const pathValues = Object.fromEntries(params.filter((p) => p.in === 'path').map((p) => [p.name, String((p as { example?: unknown }).example)]));
      const url = (values: Record<string, string>, query = '') =>
        template.replace(/\{([^}]+)\}/g, (_, name: string) => encodeURIComponent(values[name]!)) + query;
      const examples = Object.values(op.requestBody?.content['application/json']?.examples ?? {}).map((e) => e.value as Obj);
      const baseBody = examples[0];

      expectAccepted('the documented example', await send(method, url(pathValues), baseBody));
      for (const [i, example] of examples.entries()) expectAccepted(`request example ${i}`, await send(method, url(pathValues), example));

      // Header parameters (Idempotency-Key) are probed by their own integration tests: here every probe is a path or query value.
      for (const p of params.filter((param) => param.in !== 'header')) {
        const where = p.in as 'path' | 'query';
        for (const probe of probesFor(p.schema, (p as { example?: unknown }).example ?? '', where)) {
          if (typeof probe.value === 'object') continue;
          const target =
            where === 'path'
              ? url({ ...pathValues, [p.name]: String(probe.value) })
              : url(pathValues, `?${new URLSearchParams({ [p.name]: String(probe.value) }).toString()}`);
          const answer = await send(method, target, baseBody);
          const what = `${p.in} ${p.name} = ${probe.label}`;
          if (probe.valid) expectAccepted(what, answer);
          else expectRefused(what, answer, p.name);
        }
      }

      if (!op.requestBody || !baseBody) return;
      const schema = resolved(op.requestBody.content['application/json']!.schema);
      const properties = (schema.properties ?? {}) as Record<string, unknown>;
      const target = url(pathValues);
      for (const [name, propertySchema] of Object.entries(properties)) {
        const example = examples.find((e) => e[name] !== undefined && e[name] !== null)?.[name];
        for (const probe of probesFor(propertySchema, example, 'body')) {
          const answer = await send(method, target, { ...baseBody, [name]: probe.value });
          const what = `body ${name} = ${probe.label}`;
          if (probe.valid) expectAccepted(what, answer);
          else expectRefused(what, answer, name);
        }
      }
      for (const name of (schema.required ?? []) as string[]) {
        const { [name]: _dropped, ...rest } = baseBody;
        expectRefused(`body without ${name}`, await send(method, target, rest), name);
      }
      const extra = await send(method, target, { ...baseBody, unexpected_field: 1 });
      // A body that is one of several strict shapes (oneOf) names the unknown field itself.
      if (schema.oneOf) expectRefused('an unknown body field', extra, 'unexpected_field');
      else if (schema.additionalProperties === false) expectRefused('an unknown body field', extra, '(body)');
      else expectAccepted('an unknown body field (ignored)', extra);
      if (typeof schema.minProperties === 'number') expectRefused('an empty body object', await send(method, target, {}), '(body)');
      expectRefused('a JSON array body', await send(method, target, []), '(body)');
    });
  }
});
