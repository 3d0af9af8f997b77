/**
 * How long each table keeps a row, in days: the one list the retention workflow, the README and the
 * privacy policy state. Workflow-safe constants.
 *
 * | table                    | kept                                                              |
 * |--------------------------|-------------------------------------------------------------------|
 * | webhook_log              | 30 days after the event was received (the dedup record)           |
 * | conversation_sequences   | the webhook log's window after the conversation's last event      |
 * | message_status           | 30 days after its last change                                     |
 * | outbound_sends           | 30 days after its last change (the send idempotency window)       |
 * | connection_sessions      | until the connection round ends, or its expiry                    |
 * | send_rate_slots          | until its slot has passed                                         |
 * | connections              | 30 days after it ended, while no channel refers to it             |
 * | channels                 | token: until disconnect or expiry; record: 365 days after disconnect |
 * | deletion_requests        | 365 days after the request                                        |
 * | instances                | 365 days after its last change, once no channel or connection is left |
 * | instance_request_windows | 1 day                                                             |
 * | customer_windows         | until the conversation's longest window has passed (WhatsApp 24 h, Instagram 7 days) |
 */
export const RETENTION_DAYS = {
  webhookLog: 30,
  connections: 30,
  channelRecords: 365,
  deletionRequests: 365,
  instances: 365,
  quotaWindows: 1,
} as const;
