/* How a message's delivery status moves as Meta's (unordered) status webhooks arrive. */

/**
 * Progress order of delivery statuses. `failed` has no rank: it is merged by `mergeStatus`'s own rule.
 */
export const STATUS_RANK: Readonly<Record<'sent' | 'delivered' | 'read' | 'played', number>> = Object.freeze({
  sent: 1,
  delivered: 2,
  read: 3,
  played: 4,
});

function rankOf(status: string | undefined): number | undefined {
  return status !== undefined && Object.hasOwn(STATUS_RANK, status)
    ? STATUS_RANK[status as keyof typeof STATUS_RANK]
    : undefined;
}

/**
 * The status to keep for a message after `incoming` arrives; a message's status never goes backwards.
 *
 * Meta delivers statuses unordered, may skip `delivered` (read implies it), and for multi-device
 * users may send both `delivered` and `failed` for one message. So:
 * - ranked statuses only move forward: sent < delivered < read < played (`read` then `delivered`
 *   stays `read`);
 * - `failed` replaces nothing but `sent` (or no status): once any device got the message
 *   (`delivered`, `read`, `played`) it counts as delivered, and a late `sent` does not undo `failed`;
 * - a ranked status after `failed` (other than `sent`) wins for the same reason;
 * - a status value we do not know never replaces a known one.
 */
export function mergeStatus(current: string | undefined, incoming: string): string {
  if (current === undefined || current === incoming) return incoming;
  const currentRank = rankOf(current);
  const incomingRank = rankOf(incoming);
  if (incoming === 'failed') {
    return currentRank === undefined || currentRank <= STATUS_RANK.sent ? 'failed' : current;
  }
  if (current === 'failed') {
    return incomingRank !== undefined && incomingRank > STATUS_RANK.sent ? incoming : current;
  }
  if (incomingRank === undefined) return current;
  if (currentRank === undefined) return incoming;
  return incomingRank > currentRank ? incoming : current;
}
