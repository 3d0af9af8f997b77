/** Signs the short-lived JWT that authenticates one delivery to DSK. */
export interface DeliveryTokenSigner {
  sign(claims: { audience: string; issuer: string; subject: string; ttlSeconds: number }): Promise<string>;
}

/** Why a delivery to DSK did not succeed; `status` is DSK's HTTP status when it answered. */
export class DskDeliveryError extends Error {
  constructor(
    readonly reason: 'http' | 'network' | 'timeout' | 'no_events_url',
    readonly status: number | undefined,
    readonly retryAfterMs: number | undefined,
  ) {
    super(reason === 'http' ? `DSK answered ${status}` : `DSK delivery failed: ${reason}`);
    this.name = 'DskDeliveryError';
  }

  /** 408, 429, 5xx and network problems are worth retrying; any other 4xx means DSK refused this event. */
  get retryable(): boolean {
    if (this.reason === 'no_events_url') return false;
    if (this.reason !== 'http' || this.status === undefined) return true;
    return this.status === 408 || this.status === 429 || this.status >= 500;
  }
}

export interface DskClientConfig {
  signer: DeliveryTokenSigner;
  issuer: string;
  audience: string;
  timeoutMs: number;
  /** Injected for tests; defaults to the global fetch. */
  fetch?: typeof fetch;
  now?: () => number;
}

/** Parses Retry-After as delta-seconds or an HTTP date; undefined when absent or unusable. */
export function parseRetryAfter(value: string | null, nowMs: number): number | undefined {
  if (!value) return undefined;
  const trimmed = value.trim();
  if (/^\d+$/.test(trimmed)) return Number(trimmed) * 1000;
  const at = Date.parse(trimmed);
  return Number.isNaN(at) ? undefined : Math.max(0, at - nowMs);
}

/** The service's only outbound path to DSK: one POST per event, JWT-authenticated, idempotency-keyed. */
export function createDskClient(config: DskClientConfig) {
  const doFetch = config.fetch ?? fetch;
  const now = config.now ?? Date.now;
  return {
    async deliver(request: { url: string | null; instanceId: string; idempotencyKey: string; envelope: unknown }): Promise<{ status: number }> {
      if (!request.url) throw new DskDeliveryError('no_events_url', undefined, undefined);
      const token = await config.signer.sign({ audience: config.audience, issuer: config.issuer, subject: request.instanceId, ttlSeconds: 300 });
      let response: Response;
      try {
        response = await doFetch(request.url, {
          method: 'POST',
          headers: {
            authorization: `Bearer ${token}`,
            'content-type': 'application/json',
            'idempotency-key': request.idempotencyKey,
            'user-agent': 'meta-integration-service',
          },
          body: JSON.stringify(request.envelope),
          signal: AbortSignal.timeout(config.timeoutMs),
          redirect: 'error',
        });
      } catch (err) {
        const timedOut = err instanceof Error && (err.name === 'TimeoutError' || err.name === 'AbortError');
        throw new DskDeliveryError(timedOut ? 'timeout' : 'network', undefined, undefined);
      }
      // The body is not needed and may be large; release the connection.
      await response.body?.cancel().catch(() => undefined);
      if (response.status >= 200 && response.status < 300) return { status: response.status };
      throw new DskDeliveryError('http', response.status, parseRetryAfter(response.headers.get('retry-after'), now()));
    },
  };
}

export type DskClient = ReturnType<typeof createDskClient>;
