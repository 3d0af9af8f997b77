/**
 * `https://graph.instagram.com` or, in dev/tests, `http://127.0.0.1:4010/graph.instagram.com` (the
 * emulator serves every Meta host under a path prefix): an http(s) URL without credentials, query or
 * fragment, returned without a trailing slash so that `${base}/${path}` is always right.
 */
export function normalizeBaseUrl(raw: string): string {
  const url = new URL(raw.trim());
  if (url.protocol !== 'https:' && url.protocol !== 'http:') throw new TypeError('expected an http(s) URL');
  if (url.username || url.password || url.search || url.hash) throw new TypeError('expected a URL without credentials, query or fragment');
  return `${url.origin}${url.pathname.replace(/\/+$/, '')}`;
}
