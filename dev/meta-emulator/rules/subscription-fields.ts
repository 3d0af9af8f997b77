/*
 * The webhook field names Meta accepts in `subscribed_fields`, the emulator's own copy (never imported
 * from src/). An unknown name fails the whole call with `(#100) Param subscribed_fields[i] must be one of
 * {…} - got "…"` and nothing is subscribed (docs/meta-behaviours.md F2).
 */

/**
 * `POST /{page-id}/subscribed_apps`: the Page object's fields, the v25.0 enum of
 * https://developers.facebook.com/docs/graph-api/reference/page/subscribed_apps (F1). Instagram names
 * (`messaging_seen`, `messaging_referral`, `messaging_handover`, `comments`, `mentions`, `message_edit`)
 * are not among them: Instagram's fields are chosen on the app's Instagram object (F4).
 */
export const PAGE_SUBSCRIPTION_FIELDS: readonly string[] = [
  'feed', 'mention', 'name', 'picture', 'category', 'description', 'conversations', 'feature_access_list', 'inbox_labels',
  'standby', 'message_mention', 'messages', 'message_reactions', 'messaging_account_linking', 'messaging_checkout_updates',
  'messaging_customer_information', 'message_echoes', 'message_edits', 'message_deliveries', 'message_context',
  'messaging_game_plays', 'messaging_optins', 'messaging_optouts', 'messaging_payments', 'messaging_postbacks',
  'messaging_pre_checkouts', 'message_reads', 'messaging_referrals', 'messaging_handovers', 'messaging_policy_enforcement',
  'marketing_message_delivery_failed', 'marketing_message_echoes', 'marketing_message_deliveries', 'marketing_message_clicks',
  'marketing_message_reads', 'messaging_appointments', 'messaging_direct_sends', 'messaging_fblogin_account_linking',
  'user_action', 'messaging_feedback', 'send_cart', 'group_feed', 'calls', 'call_permission_reply', 'call_settings_update',
  'response_feedback', 'messaging_integrity', 'business_integrity', 'messaging_in_thread_lead_form_submit',
  'message_template_status_update', 'founded', 'company_overview', 'mission', 'products', 'general_info', 'leadgen',
  'leadgen_fat', 'leadgen_update', 'location', 'hours', 'parking', 'public_transit', 'page_about_story', 'mcom_invoice_change',
  'invoice_access_invoice_change', 'invoice_access_invoice_draft_change', 'invoice_access_onboarding_status_active',
  'invoice_access_bank_slip_events', 'local_delivery', 'phone', 'email', 'website', 'ratings', 'attire', 'payment_options',
  'culinary_team', 'general_manager', 'price_range', 'awards', 'hometown', 'current_location', 'bio', 'affiliation', 'birthday',
  'personal_info', 'personal_interests', 'members', 'checkins', 'page_upcoming_change', 'page_change_proposal',
  'merchant_review', 'product_review', 'videos', 'live_videos', 'video_text_question_responses', 'registration',
  'payment_request_update', 'publisher_subscriptions', 'invalid_topic_placeholder', 'marketing_messages_subscriber_upload_status',
  'follow', 'story_share', 'comment_poll_response', 'story_poll_response',
];

/**
 * `POST graph.instagram.com/{v}/me/subscribed_apps` (Instagram Login): the Instagram object's fields
 * (F5, https://developers.facebook.com/documentation/instagram-platform/webhooks/fields and
 * https://developers.facebook.com/docs/graph-api/webhooks/getting-started/webhooks-for-instagram/).
 * `messaging_seen` is Instagram's read receipt; Messenger's `message_reads` is not an Instagram field (F7).
 */
export const INSTAGRAM_SUBSCRIPTION_FIELDS: readonly string[] = [
  'messages', 'messaging_postbacks', 'messaging_seen', 'messaging_referral', 'message_reactions', 'messaging_optins',
  'messaging_handover', 'standby', 'message_edit', 'comments', 'live_comments', 'mentions', 'story_insights',
];

/** The first field not in `allowed`, as Meta reports it (index and name), or undefined when all are known. */
export function unknownSubscriptionField(fields: readonly string[], allowed: readonly string[]): { index: number; field: string } | undefined {
  const index = fields.findIndex((f) => !allowed.includes(f));
  return index < 0 ? undefined : { index, field: fields[index]! };
}

/** Meta's #100 text for an unknown field, without the `(#100) ` prefix (quoted in public projects, e.g. `… - got "comments"`). */
export function unknownFieldMessage(unknown: { index: number; field: string }, allowed: readonly string[]): string {
  return `Param subscribed_fields[${unknown.index}] must be one of {${allowed.join(', ')}} - got "${unknown.field}"`;
}
