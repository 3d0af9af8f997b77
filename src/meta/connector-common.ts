import { ApplicationFailure } from '@temporalio/common';
import type { ConnectFlow } from '../shared/connections.js';
import type { ChannelConnector, ExchangedToken, TokenKind } from './connectors.js';
import type { OAuthTokenResponse } from './oauth.js';

/**
 * A connect flow failed for a reason that is not a Meta error code (nothing granted, a PIN problem
 * while registering, a flow this deployment does not offer). It is an ApplicationFailure, so the
 * connection activities pass it through unchanged: `type` (the code) becomes the connection's
 * failure code. Messages are fixed texts for a person; they never contain tokens or codes.
 */
export class ConnectorError extends ApplicationFailure {
  override readonly name = 'ConnectorError';
  constructor(
    readonly code: string,
    message: string,
    opts: { retryable?: boolean; nextRetryDelayMs?: number; waitMs?: number } = {},
  ) {
    // `waitMs`: Meta asks to wait that long before trying again; the workflow waits on a timer (details[0]).
    super(message, code, !(opts.retryable ?? false), opts.waitMs === undefined ? undefined : [{ waitMs: opts.waitMs }], undefined, opts.nextRetryDelayMs);
  }
}

/** Meta's `expires_in` (seconds from now), or null when the token does not expire. */
export function expiresAtFrom(response: OAuthTokenResponse, now: Date, fallbackSeconds?: number): Date | null {
  const seconds = response.expiresInSeconds ?? fallbackSeconds;
  return seconds === undefined ? null : new Date(now.getTime() + seconds * 1000);
}

export function exchanged(accessToken: string, kind: TokenKind, expiresAt: Date | null): ExchangedToken {
  return { accessToken, kind, expiresAt };
}

export function withQuery(base: string, params: Record<string, string | undefined>): string {
  const url = new URL(base);
  for (const [name, value] of Object.entries(params)) if (value !== undefined) url.searchParams.set(name, value);
  return url.toString();
}

/** What a flow this deployment is not configured for answers: nothing reaches Meta. */
export function disabledConnector(flow: ConnectFlow): ChannelConnector {
  const refuse = (): never => {
    throw new ConnectorError('flow_not_configured', `The ${flow} connect flow is not configured on this service`);
  };
  return {
    flow,
    dialogUrl: refuse,
    exchangeCode: async () => refuse(),
    discoverAssets: async () => refuse(),
    activate: async () => refuse(),
    inspectToken: async () => refuse(),
    ensureSubscribed: async () => refuse(),
    unsubscribe: async () => refuse(),
  };
}

/** The app token `APP_ID|APP_SECRET` that `debug_token` is called with (reference §4.7). */
export function appToken(app: { appId: string; appSecret: string }): string {
  return `${app.appId}|${app.appSecret}`;
}
