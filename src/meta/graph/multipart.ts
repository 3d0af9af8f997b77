import { randomBytes } from 'node:crypto';
import { Readable } from 'node:stream';

/**
 * A `multipart/form-data` body (RFC 7578) whose file part is streamed, never buffered: the framing is
 * a few hundred bytes around the caller's chunks. fetch's own FormData would need the whole file as
 * a Blob first, which for a 100 MB document means 100 MB of memory per upload.
 */

export interface MultipartField {
  name: string;
  value: string;
}

export interface MultipartFile {
  name: string;
  filename: string;
  contentType: string;
  /**
   * The file's bytes. A Readable is iterated without being destroyed when the upload stops early, so
   * its owner (e.g. an HTTP request that still needs its response) decides what happens to it.
   */
  body: AsyncIterable<Uint8Array>;
  /** Known size: the body's `length` is then exact, and a body of another size fails the stream. */
  length?: number;
}

export interface MultipartBody {
  /** `multipart/form-data; boundary=…` */
  contentType: string;
  /** Total bytes, when the file's length is known. */
  length: number | undefined;
  /** The body, once: fields first (so a streaming parser knows them before the file), then the file. */
  chunks: AsyncIterable<Uint8Array>;
}

/** The file body yielded more or fewer bytes than its declared `length`. */
export class MultipartLengthError extends Error {
  override readonly name = 'MultipartLengthError';
}

const CRLF = '\r\n';
const TOKEN = /^[A-Za-z0-9!#$&^_.+-]+\/[A-Za-z0-9!#$&^_.+-]+$/;

/**
 * WHATWG's form encoding for names in Content-Disposition: `"`, CR and LF percent-encoded, so a name
 * can neither end the quoted string nor start a header of its own.
 */
export function escapeDispositionValue(value: string): string {
  return value.replace(/\r/g, '%0D').replace(/\n/g, '%0A').replace(/"/g, '%22');
}

/** 32 random hex digits: cannot be checked against a streamed file, so it is made unguessable instead. */
export function newBoundary(): string {
  return `----meta-integration-${randomBytes(16).toString('hex')}`;
}

export function multipartFormData(fields: readonly MultipartField[], file: MultipartFile, boundary: string = newBoundary()): MultipartBody {
  // RFC 2046: 1-70 characters, and none that would need quoting in the header parameter.
  if (!/^[A-Za-z0-9'()+_,./:=?-]{1,70}$/.test(boundary)) throw new TypeError('invalid multipart boundary');
  if (!TOKEN.test(file.contentType)) throw new TypeError('file content type must be a bare type/subtype');
  if (file.length !== undefined && (!Number.isSafeInteger(file.length) || file.length < 0)) throw new TypeError('file length must be a non-negative integer');

  const head = Buffer.from(
    fields.map((f) => `--${boundary}${CRLF}Content-Disposition: form-data; name="${escapeDispositionValue(f.name)}"${CRLF}${CRLF}${f.value}${CRLF}`).join('') +
      `--${boundary}${CRLF}Content-Disposition: form-data; name="${escapeDispositionValue(file.name)}"; filename="${escapeDispositionValue(file.filename)}"${CRLF}` +
      `Content-Type: ${file.contentType}${CRLF}${CRLF}`,
    'utf8',
  );
  const tail = Buffer.from(`${CRLF}--${boundary}--${CRLF}`, 'utf8');
  const expected = file.length;

  async function* chunks(): AsyncGenerator<Uint8Array> {
    yield head;
    let size = 0;
    const source = file.body instanceof Readable ? file.body.iterator({ destroyOnReturn: false }) : file.body;
    for await (const chunk of source) {
      const bytes: Uint8Array = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
      size += bytes.byteLength;
      if (expected !== undefined && size > expected) throw new MultipartLengthError('file body is longer than its declared length');
      if (bytes.byteLength > 0) yield bytes;
    }
    if (expected !== undefined && size !== expected) throw new MultipartLengthError('file body is shorter than its declared length');
    // Only a complete file gets the closing boundary: a body that failed is never a valid form.
    yield tail;
  }

  return {
    contentType: `multipart/form-data; boundary=${boundary}`,
    length: expected === undefined ? undefined : head.byteLength + expected + tail.byteLength,
    chunks: chunks(),
  };
}
