import createClient, { type Client, type Middleware } from 'openapi-fetch';
import type { paths } from './api.js';

export interface ServiceClientOptions {
  /** The service's base URL, e.g. `https://meta.example.com`. */
  baseUrl: string;
  /** DSK's bearer token for one instance (a fresh one per call when it is a function). */
  token: string | (() => string | Promise<string>);
  fetch?: typeof globalThis.fetch;
}

export type ServiceClient = Client<paths>;

/**
 * A typed client of the service's `/v1` API: paths, parameters, bodies and answers come from
 * docs/openapi.json (src/api.ts is generated from it). Every call carries `Authorization: Bearer`.
 *
 *   const { data, error } = await client.GET('/v1/channels/{id}', { params: { path: { id } } });
 */
export function createServiceClient(options: ServiceClientOptions): ServiceClient {
  const client = createClient<paths>({ baseUrl: options.baseUrl.replace(/\/+$/, ''), ...(options.fetch ? { fetch: options.fetch } : {}) });
  const auth: Middleware = {
    async onRequest({ request }) {
      const token = typeof options.token === 'function' ? await options.token() : options.token;
      request.headers.set('authorization', `Bearer ${token}`);
      return request;
    },
  };
  client.use(auth);
  return client;
}
