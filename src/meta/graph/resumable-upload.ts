import { z } from 'zod';
import { MetaRequestError } from './errors.js';
import { bearerHeaders, checkId, metaApiErrorFrom, readJson, transportError, type GraphTransport } from './transport.js';

/*
 * Meta's Resumable Upload API: a file becomes a handle that other endpoints take (a WhatsApp business
 * profile's `profile_picture_handle`, a template header's example):
 *   1. POST /{app-id}/uploads?file_name&file_length&file_type  → {id: "upload:<session>"}
 *   2. POST /upload:<session>  (Authorization: OAuth <token>, file_offset: 0, the bytes) → {h: "<handle>"}
 * https://developers.facebook.com/docs/graph-api/guides/upload
 * The service sends small files in one piece, so it never resumes a session.
 */

/** What Meta takes: application/pdf, image/jpeg, image/jpg, image/png, video/mp4. */
export const RESUMABLE_UPLOAD_TYPES = ['application/pdf', 'image/jpeg', 'image/jpg', 'image/png', 'video/mp4'] as const;

const SessionBody = z.object({ id: z.string().regex(/^upload:[A-Za-z0-9+/=_:.-]{1,1024}(\?sig=[A-Za-z0-9+/=_.-]{1,512})?$/) }).loose();
const HandleBody = z.object({ h: z.string().min(1).max(4096) }).loose();

export interface ResumableFile {
  bytes: Buffer;
  /** One of RESUMABLE_UPLOAD_TYPES. */
  type: string;
  name: string;
}

/** Uploads `file` for the app and returns its handle. */
export async function uploadForHandle(graph: GraphTransport, token: string, appId: string, file: ResumableFile): Promise<string> {
  const operation = 'uploadFile';
  checkId(appId, 'app id');
  const started = await graph.json(operation, 'POST', `${appId}/uploads`, token, {
    query: { file_name: file.name, file_length: String(file.bytes.length), file_type: file.type },
  });
  const session = SessionBody.safeParse(started);
  if (!session.success) throw new MetaRequestError(operation, 'invalid_response');

  // The documented header is `OAuth <token>`; the bearer form is checked the same way first.
  const headers = { ...bearerHeaders(token), authorization: `OAuth ${token}`, file_offset: '0', 'content-type': 'application/octet-stream' };
  let response: Response;
  try {
    response = await graph.http.fetch(graph.url(session.data.id, token), {
      method: 'POST',
      headers,
      body: file.bytes,
      redirect: 'error',
      signal: AbortSignal.timeout(Math.max(graph.http.timeoutMs, 60_000)),
    });
  } catch (err) {
    throw transportError(operation, err);
  }
  if (!response.ok) throw await metaApiErrorFrom(graph.http, operation, response, token);
  const handle = HandleBody.safeParse(await readJson(operation, response));
  if (!handle.success) throw new MetaRequestError(operation, 'invalid_response');
  return handle.data.h;
}
