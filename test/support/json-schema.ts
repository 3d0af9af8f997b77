import { isDeepStrictEqual } from 'node:util';

/**
 * A small JSON Schema (2020-12) validator for the keywords docs/openapi.json and
 * docs/schemas/dsk-event.v1.schema.json use. No validator is a dependency of the project; this one
 * refuses any keyword it does not implement, so it can never pass a document by ignoring a constraint.
 */

export type JsonSchema = boolean | { [keyword: string]: unknown };

/** Keywords that describe and never constrain. `x-…` extensions are annotations too. */
const ANNOTATIONS = new Set([
  'title', 'description', 'examples', 'example', 'default', 'deprecated', 'readOnly', 'writeOnly', '$comment',
  'contentMediaType', 'contentEncoding', '$schema', '$id',
]);

const FORMATS: Record<string, (value: string) => boolean> = {
  'date-time': (v) => /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d+)?(?:Z|[+-]\d{2}:\d{2})$/.test(v) && !Number.isNaN(Date.parse(v)),
  uuid: (v) => /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(v),
  uri: (v) => URL.canParse(v),
  // zod's email schemas state their pattern too; the format only has to be a plausible address.
  email: (v) => /^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(v),
};

function typeOf(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  return typeof value;
}

function hasType(value: unknown, type: string): boolean {
  if (type === 'integer') return Number.isInteger(value);
  if (type === 'number') return typeof value === 'number' && Number.isFinite(value);
  return typeOf(value) === type;
}

/** Resolves a local `$ref` (`#/a/b`) against the document it appears in. */
export function resolvePointer(root: unknown, ref: string): unknown {
  if (!ref.startsWith('#')) throw new Error(`only local $refs are supported: ${ref}`);
  let node: unknown = root;
  for (const raw of ref.slice(1).split('/').slice(1)) {
    const part = decodeURIComponent(raw).replace(/~1/g, '/').replace(/~0/g, '~');
    if (typeof node !== 'object' || node === null || !(part in node)) throw new Error(`unresolvable $ref ${ref}`);
    node = (node as Record<string, unknown>)[part];
  }
  return node;
}

/** Every way `value` breaks `schema`, as `<path>: <problem>` lines; empty when it is valid. */
export function validate(schema: JsonSchema, value: unknown, root: unknown, path = '$'): string[] {
  if (schema === true) return [];
  if (schema === false) return [`${path}: no value is allowed here`];
  const problems: string[] = [];
  const s = schema;
  const sub = (child: unknown, v: unknown, p: string) => validate(child as JsonSchema, v, root, p);

  for (const [keyword, arg] of Object.entries(s)) {
    if (ANNOTATIONS.has(keyword) || keyword.startsWith('x-')) continue;
    switch (keyword) {
      case '$ref':
        problems.push(...sub(resolvePointer(root, arg as string), value, path));
        break;
      case 'type': {
        const types = Array.isArray(arg) ? (arg as string[]) : [arg as string];
        if (!types.some((t) => hasType(value, t))) problems.push(`${path}: expected ${types.join(' or ')}, got ${typeOf(value)}`);
        break;
      }
      case 'enum':
        if (!(arg as unknown[]).some((option) => isDeepStrictEqual(option, value))) problems.push(`${path}: ${JSON.stringify(value)} is not one of ${JSON.stringify(arg)}`);
        break;
      case 'const':
        if (!isDeepStrictEqual(arg, value)) problems.push(`${path}: expected ${JSON.stringify(arg)}, got ${JSON.stringify(value)}`);
        break;
      case 'minLength':
      case 'maxLength':
      case 'pattern':
      case 'format':
        if (typeof value === 'string') problems.push(...stringProblems(keyword, arg, value, path));
        break;
      case 'minimum':
        if (typeof value === 'number' && value < (arg as number)) problems.push(`${path}: ${value} < minimum ${String(arg)}`);
        break;
      case 'maximum':
        if (typeof value === 'number' && value > (arg as number)) problems.push(`${path}: ${value} > maximum ${String(arg)}`);
        break;
      case 'items':
        if (Array.isArray(value)) value.forEach((item, i) => problems.push(...sub(arg, item, `${path}[${i}]`)));
        break;
      case 'minItems':
        if (Array.isArray(value) && value.length < (arg as number)) problems.push(`${path}: fewer than ${String(arg)} items`);
        break;
      case 'maxItems':
        if (Array.isArray(value) && value.length > (arg as number)) problems.push(`${path}: more than ${String(arg)} items`);
        break;
      case 'properties':
        if (typeOf(value) === 'object') {
          for (const [name, child] of Object.entries(arg as Record<string, unknown>)) {
            const obj = value as Record<string, unknown>;
            if (Object.hasOwn(obj, name)) problems.push(...sub(child, obj[name], `${path}.${name}`));
          }
        }
        break;
      case 'additionalProperties':
        if (typeOf(value) === 'object') {
          const declared = new Set(Object.keys((s.properties as Record<string, unknown> | undefined) ?? {}));
          for (const [name, v] of Object.entries(value as Record<string, unknown>)) {
            if (!declared.has(name)) problems.push(...sub(arg, v, `${path}.${name}`).map((p) => (arg === false ? `${path}: unknown property "${name}"` : p)));
          }
        }
        break;
      case 'required':
        if (typeOf(value) === 'object') {
          for (const name of arg as string[]) if (!Object.hasOwn(value as object, name)) problems.push(`${path}: missing "${name}"`);
        }
        break;
      case 'propertyNames':
        if (typeOf(value) === 'object') for (const name of Object.keys(value as object)) problems.push(...sub(arg, name, `${path}{${name}}`));
        break;
      case 'minProperties':
        if (typeOf(value) === 'object' && Object.keys(value as object).length < (arg as number)) problems.push(`${path}: fewer than ${String(arg)} properties`);
        break;
      case 'maxProperties':
        if (typeOf(value) === 'object' && Object.keys(value as object).length > (arg as number)) problems.push(`${path}: more than ${String(arg)} properties`);
        break;
      case 'allOf':
        for (const child of arg as unknown[]) problems.push(...sub(child, value, path));
        break;
      case 'anyOf':
        if (!(arg as unknown[]).some((child) => sub(child, value, path).length === 0)) problems.push(`${path}: matches none of anyOf`);
        break;
      case 'oneOf': {
        const branches = (arg as unknown[]).map((child) => sub(child, value, path));
        const matching = branches.filter((b) => b.length === 0).length;
        if (matching !== 1) {
          problems.push(`${path}: matches ${matching} branches of oneOf, not exactly 1`);
          if (matching === 0) problems.push(...branches.reduce((a, b) => (b.length < a.length ? b : a)));
        }
        break;
      }
      case 'not':
        if (sub(arg, value, path).length === 0) problems.push(`${path}: matches a "not" schema`);
        break;
      case '$defs':
        break;
      default:
        throw new Error(`${path}: the test validator does not implement "${keyword}"`);
    }
  }
  return problems;
}

function stringProblems(keyword: string, arg: unknown, value: string, path: string): string[] {
  const length = [...value].length;
  switch (keyword) {
    case 'minLength':
      return length < (arg as number) ? [`${path}: shorter than ${String(arg)}`] : [];
    case 'maxLength':
      return length > (arg as number) ? [`${path}: longer than ${String(arg)}`] : [];
    case 'pattern':
      return new RegExp(arg as string, 'u').test(value) ? [] : [`${path}: does not match /${String(arg)}/`];
    default: {
      const check = FORMATS[arg as string];
      if (!check) throw new Error(`${path}: the test validator does not implement format "${String(arg)}"`);
      return check(value) ? [] : [`${path}: not a valid ${String(arg)}`];
    }
  }
}
