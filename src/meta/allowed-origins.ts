/**
 * `lookaside.fbsbx.com` → `https://lookaside.fbsbx.com`; `http://127.0.0.1:4010` stays an origin.
 * Bare hostnames mean https: plain http is only for a local emulator, and must be spelled out.
 * Shared by config parsing and the Graph client's download allow-list.
 */
export function toAllowedOrigin(entry: string): string {
  const trimmed = entry.trim();
  const url = new URL(trimmed.includes('://') ? trimmed : `https://${trimmed}`);
  if (url.protocol !== 'https:' && url.protocol !== 'http:') throw new TypeError('expected an http(s) origin or a hostname');
  if (url.username || url.password || (url.pathname !== '/' && url.pathname !== '') || url.search || url.hash) {
    throw new TypeError('expected a bare hostname or origin, without credentials, path or query');
  }
  return url.origin;
}
