import assert from 'node:assert/strict';
import { Readable } from 'node:stream';
import { describe, it } from 'node:test';
import { escapeDispositionValue, multipartFormData, MultipartLengthError, newBoundary, type MultipartBody } from '../../src/meta/graph/multipart.js';

const BOUNDARY = '----test-boundary-0123456789';
const FIELDS = [
  { name: 'messaging_product', value: 'whatsapp' },
  { name: 'type', value: 'image/jpeg' },
];

async function collect(body: MultipartBody): Promise<Buffer> {
  const chunks: Uint8Array[] = [];
  for await (const chunk of body.chunks) chunks.push(chunk);
  return Buffer.concat(chunks);
}

/** What a server-side multipart parser (WHATWG's, in Node's fetch) makes of the body. */
async function parse(body: MultipartBody): Promise<FormData> {
  return new Response(await collect(body), { headers: { 'content-type': body.contentType } }).formData();
}

async function* from(...parts: Array<string | Uint8Array>): AsyncGenerator<Uint8Array> {
  for (const part of parts) yield typeof part === 'string' ? Buffer.from(part) : part;
}

async function rejects<T extends Error>(promise: Promise<unknown>, type: new (...args: never[]) => T): Promise<T> {
  try {
    await promise;
  } catch (err) {
    assert.ok(err instanceof type, `expected ${type.name}, got ${String(err)}`);
    return err;
  }
  assert.fail(`expected a ${type.name}`);
}

describe('multipartFormData (streamed multipart/form-data)', () => {
  it('frames the fields, then the file with its filename and type, then the closing boundary (RFC 7578)', async () => {
    const body = multipartFormData(FIELDS, { name: 'file', filename: 'photo.jpg', contentType: 'image/jpeg', body: from('AB', 'CD') }, BOUNDARY);
    assert.equal(body.contentType, `multipart/form-data; boundary=${BOUNDARY}`);
    assert.equal(
      (await collect(body)).toString('latin1'),
      [
        `--${BOUNDARY}`,
        'Content-Disposition: form-data; name="messaging_product"',
        '',
        'whatsapp',
        `--${BOUNDARY}`,
        'Content-Disposition: form-data; name="type"',
        '',
        'image/jpeg',
        `--${BOUNDARY}`,
        'Content-Disposition: form-data; name="file"; filename="photo.jpg"',
        'Content-Type: image/jpeg',
        '',
        'ABCD',
        `--${BOUNDARY}--`,
        '',
      ].join('\r\n'),
    );
  });

  it('is read back by a standard multipart parser with the exact bytes, name, type and fields', async () => {
    const content = Buffer.alloc(70_000);
    for (let i = 0; i < content.length; i += 1) content[i] = (i * 7) & 0xff;
    // The file contains CRLF and dashes, which must not confuse the framing.
    content.write(`\r\n--${BOUNDARY.slice(0, 10)}\r\n`, 100, 'latin1');
    const form = await parse(
      multipartFormData(FIELDS, { name: 'file', filename: 'scan.jpg', contentType: 'image/jpeg', body: Readable.from([content.subarray(0, 1000), content.subarray(1000)]) }),
    );
    assert.equal(form.get('messaging_product'), 'whatsapp');
    assert.equal(form.get('type'), 'image/jpeg');
    const file = form.get('file');
    assert.ok(file instanceof File);
    assert.deepEqual([file.name, file.type, file.size], ['scan.jpg', 'image/jpeg', content.length]);
    assert.ok(Buffer.from(await file.arrayBuffer()).equals(content));
  });

  it('states the exact total length when the file length is known, and none otherwise', async () => {
    const known = multipartFormData(FIELDS, { name: 'file', filename: 'a.pdf', contentType: 'application/pdf', body: from('%PDF-1.7 …'), length: Buffer.byteLength('%PDF-1.7 …') });
    assert.equal(known.length, (await collect(known)).length);
    assert.equal(multipartFormData(FIELDS, { name: 'file', filename: 'a.pdf', contentType: 'application/pdf', body: from('x') }).length, undefined);
  });

  it('streams: the framing goes out before the file is read, and each file chunk only when asked for', async () => {
    const pulled: number[] = [];
    async function* file() {
      for (let i = 0; i < 3; i += 1) {
        pulled.push(i);
        yield Buffer.from(`chunk${i}`);
      }
    }
    const iterator = multipartFormData(FIELDS, { name: 'file', filename: 'f.txt', contentType: 'text/plain', body: file() }, BOUNDARY).chunks[Symbol.asyncIterator]();
    const head = await iterator.next();
    assert.match(Buffer.from(head.value as Uint8Array).toString(), /filename="f\.txt"\r\nContent-Type: text\/plain\r\n\r\n$/);
    assert.deepEqual(pulled, []);
    assert.equal(Buffer.from((await iterator.next()).value as Uint8Array).toString(), 'chunk0');
    assert.deepEqual(pulled, [0]);
    assert.equal(Buffer.from((await iterator.next()).value as Uint8Array).toString(), 'chunk1');
    assert.deepEqual(pulled, [0, 1]);
  });

  it('never closes the form when the file fails: the error comes through and no closing boundary is produced', async () => {
    const boom = new Error('client went away');
    async function* failing() {
      yield Buffer.from('partial');
      throw boom;
    }
    const seen: string[] = [];
    const body = multipartFormData(FIELDS, { name: 'file', filename: 'f.txt', contentType: 'text/plain', body: failing() }, BOUNDARY);
    await assert.rejects(
      (async () => {
        for await (const chunk of body.chunks) seen.push(Buffer.from(chunk).toString());
      })(),
      (err) => err === boom,
    );
    assert.equal(seen.at(-1), 'partial');
    assert.ok(!seen.join('').includes(`--${BOUNDARY}--`));
  });

  it('fails with MultipartLengthError when the file is shorter or longer than declared', async () => {
    const short = multipartFormData(FIELDS, { name: 'file', filename: 'f', contentType: 'text/plain', body: from('abc'), length: 4 });
    await rejects(collect(short), MultipartLengthError);
    const long = multipartFormData(FIELDS, { name: 'file', filename: 'f', contentType: 'text/plain', body: from('ab', 'cde'), length: 4 });
    await rejects(collect(long), MultipartLengthError);
  });

  it('leaves a Readable body open when the consumer stops early (its owner still needs it)', async () => {
    const source = new Readable({ read() {} });
    source.push(Buffer.from('first'));
    const iterator = multipartFormData(FIELDS, { name: 'file', filename: 'f', contentType: 'text/plain', body: source }, BOUNDARY).chunks[Symbol.asyncIterator]();
    await iterator.next();
    assert.equal(Buffer.from((await iterator.next()).value as Uint8Array).toString(), 'first');
    await iterator.return?.(undefined);
    assert.equal(source.destroyed, false);
    source.destroy();
  });

  it('percent-encodes quotes and line breaks in names (WHATWG), so a filename cannot add a header', async () => {
    assert.equal(escapeDispositionValue('a"b\r\nContent-Type: text/html'), 'a%22b%0D%0AContent-Type: text/html');
    const raw = (await collect(multipartFormData([], { name: 'file', filename: 'x"\r\nX-Evil: 1', contentType: 'text/plain', body: from('1') }, BOUNDARY))).toString();
    assert.ok(raw.includes('filename="x%22%0D%0AX-Evil: 1"\r\n'));
    assert.ok(!/\r\nX-Evil/.test(raw));
  });

  it('refuses a content type with parameters or line breaks, a bad boundary and a negative length', () => {
    const file = { name: 'file', filename: 'f', body: from('1') };
    assert.throws(() => multipartFormData([], { ...file, contentType: 'text/plain; charset=utf-8' }), TypeError);
    assert.throws(() => multipartFormData([], { ...file, contentType: 'text/plain\r\nX: y' }), TypeError);
    assert.throws(() => multipartFormData([], { ...file, contentType: 'text/plain' }, 'with space'), TypeError);
    assert.throws(() => multipartFormData([], { ...file, contentType: 'text/plain', length: -1 }), TypeError);
  });

  it('makes a new unguessable boundary per body', () => {
    const a = newBoundary();
    assert.match(a, /^----meta-integration-[0-9a-f]{32}$/);
    assert.notEqual(a, newBoundary());
  });
});
