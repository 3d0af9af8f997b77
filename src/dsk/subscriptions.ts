import type { DskClient } from './client.js';

/** The event DSK triggers to check its endpoint (POST /v1/instance/test-event): always delivered. */
export const TEST_EVENT_TYPE = 'test.ping';

/**
 * Per-instance event-type subscriptions (PUT /v1/instance `event_types`) in front of the DSK client:
 * the one place every delivery passes (inbound events, send outcomes, channel status). An event of a
 * type the instance did not choose is not sent; the answer says `skipped`, and the inbound path
 * records it so in the webhook log.
 */
export function withSubscriptions(dsk: DskClient, eventTypesOf: (instanceId: string) => Promise<string[] | null | undefined>): DskClient {
  return {
    ...dsk,
    async deliver(request) {
      const type = (request.envelope as { type?: unknown } | null)?.type;
      if (typeof type === 'string' && type !== TEST_EVENT_TYPE) {
        const types = await eventTypesOf(request.instanceId);
        if (types && !types.includes(type)) return { status: 0, skipped: true };
      }
      return dsk.deliver(request);
    },
  };
}
