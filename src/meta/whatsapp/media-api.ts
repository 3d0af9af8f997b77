import { Readable } from 'node:stream';
import type { ReadableStream as NodeWebReadableStream } from 'node:stream/web';
import { z } from 'zod';
import { toAllowedOrigin } from '../allowed-origins.js';
import { MetaRequestError } from '../graph/errors.js';
import { multipartFormData } from '../graph/multipart.js';
import { bearerHeaders, checkId, GRAPH_ID, metaApiErrorFrom, readJson, transportError, type GraphTransport } from '../graph/transport.js';

/*
 * WhatsApp media by id (reference §6.2): the media's URL and type, its bytes from Meta's CDN, and
 * uploads. Bytes are streamed both ways, never buffered.
 */

export interface WhatsAppMediaOptions {
  /**
   * Where media bytes may be fetched from besides the Graph origin: bare hostnames (https only, e.g.
   * `lookaside.fbsbx.com`) or full `http(s)://host[:port]` origins. Nothing else is ever fetched, so a
   * media URL (which comes from Meta's JSON) cannot make the service send a token elsewhere.
   */
  mediaHosts: readonly string[];
  /** Whole media transfer, body included; default 5 min. */
  downloadTimeoutMs?: number;
  /** Whole upload, from the first byte sent to Meta's answer; default 5 min. */
  uploadTimeoutMs?: number;
  /** Refuse media larger than this; default 110 MiB (Meta's limit is 100 MB). */
  maxDownloadBytes?: number;
  /** Redirects followed on downloads, each checked against the allow-list; default 3. */
  maxRedirects?: number;
}

export interface MediaInfo {
  id: string;
  /** Short-lived (about 5 min) and only fetchable with the same token. */
  url: string;
  mimeType: string;
  sha256: string;
  fileSize: number | undefined;
}

export interface MediaDownload {
  stream: Readable;
  mimeType: string;
  contentLength: number | undefined;
}

/** One file for `POST /{phone-number-id}/media`. */
export interface WhatsAppMediaUpload {
  /** The bytes, streamed as they come (e.g. an incoming HTTP request); see MultipartFile.body. */
  body: AsyncIterable<Uint8Array>;
  /** Bare MIME type: Meta's `type` field and the file part's Content-Type. */
  contentType: string;
  filename: string;
  /** When known, Meta gets a Content-Length instead of a chunked body. */
  contentLength?: number;
}

const MediaInfoBody = z.object({
  id: z.string().regex(GRAPH_ID),
  url: z.string().min(1),
  mime_type: z.string().min(1).max(255),
  sha256: z.string().max(128).default(''),
  // Meta documents a string ("303833"); some responses carry a number.
  file_size: z.union([z.string().regex(/^\d{1,15}$/).transform(Number), z.number().int().nonnegative()]).optional(),
});

const UploadBody = z.object({ id: z.union([z.string().regex(GRAPH_ID), z.number().int().nonnegative().transform(String)]) }).loose();

function mediaTypeOf(contentType: string): string {
  return contentType.split(';')[0]!.trim().toLowerCase();
}

/** Media calls on the Graph transport; `options.mediaHosts` is the whole download allow-list besides the Graph origin. */
export function createWhatsAppMediaApi(graph: GraphTransport, options: WhatsAppMediaOptions) {
  const { fetch: doFetch, timeoutMs } = graph.http;
  const downloadTimeoutMs = options.downloadTimeoutMs ?? 5 * 60_000;
  const uploadTimeoutMs = options.uploadTimeoutMs ?? 5 * 60_000;
  const maxDownloadBytes = options.maxDownloadBytes ?? 110 * 1024 * 1024;
  const maxRedirects = options.maxRedirects ?? 3;
  const allowedOrigins = new Set([graph.origin, ...options.mediaHosts.map(toAllowedOrigin)]);

  function checkAllowed(raw: string | URL): URL {
    let url: URL;
    try {
      url = new URL(raw);
    } catch {
      throw new MetaRequestError('downloadMedia', 'url_not_allowed');
    }
    if (url.username || url.password || !allowedOrigins.has(url.origin)) throw new MetaRequestError('downloadMedia', 'url_not_allowed');
    return url;
  }

  return {
    /** `GET /{media-id}[?phone_number_id=]`: with the phone number id, Meta only answers for media of that number. */
    async getMediaInfo(token: string, mediaId: string, phoneNumberId?: string): Promise<MediaInfo> {
      if (!GRAPH_ID.test(mediaId)) throw new TypeError('media id must be 1-32 digits');
      if (phoneNumberId !== undefined && !GRAPH_ID.test(phoneNumberId)) throw new TypeError('phone number id must be 1-32 digits');
      const json = await graph.json('getMediaInfo', 'GET', mediaId, token, { query: { phone_number_id: phoneNumberId } });
      const parsed = MediaInfoBody.safeParse(json);
      if (!parsed.success) throw new MetaRequestError('getMediaInfo', 'invalid_response');
      const body = parsed.data;
      return { id: body.id, url: body.url, mimeType: body.mime_type, sha256: body.sha256, fileSize: body.file_size };
    },

    /**
     * `GET <media url>` with the bearer token (none for Instagram's signed attachment URLs), only on the Graph origin or an allowed CDN origin (also
     * for every redirect hop). The body is streamed, never buffered; the returned stream errors if
     * the transfer exceeds `maxDownloadBytes` or `downloadTimeoutMs`. `expectedMimeType` (from
     * getMediaInfo) turns an HTML page served with 200 (what the CDN shows instead of media when it
     * is unhappy) into an `invalid_response` error instead of bytes passed on as media.
     */
    async downloadMedia(token: string | undefined, url: string, opts: { expectedMimeType?: string } = {}): Promise<MediaDownload> {
      const operation = 'downloadMedia';
      // Without a token: Instagram attachment URLs, which are signed themselves and need none.
      const headers: Record<string, string> = token === undefined ? { 'user-agent': 'meta-integration-service' } : bearerHeaders(token);
      let target = checkAllowed(url);
      const controller = new AbortController();
      const overall = setTimeout(() => controller.abort(new DOMException('download timed out', 'TimeoutError')), downloadTimeoutMs);
      overall.unref();
      const fail = (err: Error): never => {
        clearTimeout(overall);
        controller.abort();
        throw err;
      };

      let response: Response | undefined;
      for (let hop = 0; ; hop += 1) {
        const headerTimer = setTimeout(() => controller.abort(new DOMException('no response in time', 'TimeoutError')), timeoutMs);
        try {
          response = await doFetch(target, { method: 'GET', headers, redirect: 'manual', signal: controller.signal });
        } catch (err) {
          fail(transportError(operation, err));
        } finally {
          clearTimeout(headerTimer);
        }
        const location = response!.status >= 300 && response!.status < 400 ? response!.headers.get('location') : null;
        if (location === null) break;
        await response!.body?.cancel().catch(() => undefined);
        if (hop >= maxRedirects) fail(new MetaRequestError(operation, 'too_many_redirects'));
        try {
          target = checkAllowed(new URL(location, target));
        } catch (err) {
          fail(err as Error);
        }
      }
      const res = response!;
      if (!res.ok) fail(await metaApiErrorFrom(graph.http, operation, res, token));

      const mimeType = (res.headers.get('content-type') ?? '').trim() || 'application/octet-stream';
      const expected = opts.expectedMimeType?.toLowerCase();
      if (mediaTypeOf(mimeType) === 'text/html' && expected !== undefined && mediaTypeOf(expected) !== 'text/html') {
        await res.body?.cancel().catch(() => undefined);
        fail(new MetaRequestError(operation, 'invalid_response'));
      }
      const lengthHeader = res.headers.get('content-length');
      const contentLength = lengthHeader !== null && /^\d{1,15}$/.test(lengthHeader.trim()) ? Number(lengthHeader.trim()) : undefined;
      if (contentLength !== undefined && contentLength > maxDownloadBytes) {
        await res.body?.cancel().catch(() => undefined);
        fail(new MetaRequestError(operation, 'too_large'));
      }

      let received = 0;
      const limiter = new TransformStream<Uint8Array, Uint8Array>({
        transform(chunk, ctrl) {
          received += chunk.byteLength;
          if (received > maxDownloadBytes) {
            ctrl.error(new MetaRequestError(operation, 'too_large'));
            controller.abort();
            return;
          }
          ctrl.enqueue(chunk);
        },
        flush() {
          clearTimeout(overall);
        },
      });
      const body = res.body ?? new ReadableStream<Uint8Array>({ start: (c) => c.close() });
      const stream = Readable.fromWeb(body.pipeThrough(limiter) as unknown as NodeWebReadableStream<Uint8Array>);
      stream.once('close', () => clearTimeout(overall));
      return { stream, mimeType, contentLength };
    },

    /**
     * `POST /{phone-number-id}/media` (reference §6.2): multipart `messaging_product=whatsapp`, `type`
     * and `file`, streamed from `upload.body` without buffering it. Errors of the body itself (e.g. the
     * caller's size limit) abort the request and are rethrown unchanged; the closing boundary is only
     * sent after a complete body, so an aborted upload never becomes media at Meta.
     */
    async uploadMedia(token: string, phoneNumberId: string, upload: WhatsAppMediaUpload): Promise<{ id: string }> {
      const operation = 'uploadMedia';
      checkId(phoneNumberId, 'phone number id');
      const headers = bearerHeaders(token);
      let bodyFailure: { error: unknown } | undefined;
      const form = multipartFormData([{ name: 'messaging_product', value: 'whatsapp' }, { name: 'type', value: upload.contentType }], {
        name: 'file',
        filename: upload.filename,
        contentType: upload.contentType,
        body: upload.body,
        ...(upload.contentLength === undefined ? {} : { length: upload.contentLength }),
      });
      const controller = new AbortController();
      const source = form.chunks[Symbol.asyncIterator]();
      const body = new ReadableStream<Uint8Array>(
        {
          async pull(stream) {
            let next: IteratorResult<Uint8Array>;
            try {
              next = await source.next();
            } catch (error) {
              bodyFailure = { error };
              // fetch would tear the connection down too; aborting says so without relying on it.
              controller.abort();
              throw error;
            }
            if (next.done) stream.close();
            else stream.enqueue(next.value);
          },
          async cancel() {
            await source.return?.(undefined);
          },
        },
        // Pull one chunk at a time: the upload moves at Meta's pace, nothing piles up in memory.
        { highWaterMark: 0 },
      );
      headers['content-type'] = form.contentType;
      if (form.length !== undefined) headers['content-length'] = String(form.length);
      const overall = setTimeout(() => controller.abort(new DOMException('upload timed out', 'TimeoutError')), uploadTimeoutMs);
      overall.unref();
      try {
        let response: Response;
        try {
          response = await doFetch(graph.url(`${phoneNumberId}/media`, token), { method: 'POST', headers, body, duplex: 'half', redirect: 'error', signal: controller.signal });
        } catch (err) {
          if (bodyFailure) throw bodyFailure.error;
          throw transportError(operation, err);
        }
        if (!response.ok) throw await metaApiErrorFrom(graph.http, operation, response, token);
        const parsed = UploadBody.safeParse(await readJson(operation, response));
        if (!parsed.success) throw new MetaRequestError(operation, 'invalid_response');
        return { id: parsed.data.id };
      } finally {
        clearTimeout(overall);
        // Meta may answer (an error) before it read the whole body: stop sending the rest.
        if (!controller.signal.aborted) controller.abort();
      }
    },
  };
}

export type WhatsAppMediaApi = ReturnType<typeof createWhatsAppMediaApi>;
