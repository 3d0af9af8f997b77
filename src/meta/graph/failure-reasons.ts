/*
 * A readable English sentence per Meta error code, keyed `code` or `code/subcode` (the latter wins),
 * for DSK. They paraphrase Meta's error titles (WA-ERR, Graph error handling) and never quote Meta's
 * `message` / `error_data.details`, which can echo request parameters (message content).
 */

export const META_ERROR_REASONS: Readonly<Record<string, string>> = {
  // Auth
  '0': "Meta rejected the channel's credentials (AuthException); the channel must be reconnected.",
  '190': "The channel's access token is invalid or expired; the channel must be reconnected.",
  '190/458': 'The app is no longer installed for this account; the channel must be reconnected.',
  '190/459': 'The account owner must pass a security checkpoint on Facebook before the channel can be reconnected.',
  '190/460': "The account's password changed, which revoked the token; the channel must be reconnected.",
  '190/463': "The channel's access token expired; the channel must be reconnected.",
  '190/464': 'The account owner must confirm their Facebook account before the channel can be reconnected.',
  '190/467': "The channel's access token is invalid; the channel must be reconnected.",
  '190/492': 'The person who connected the channel lost their role on the Page; the channel must be reconnected.',
  // Transient
  '1': 'Meta reported an unknown error; the send can be retried.',
  '1/1357046': 'Meta reported an invalid reply although the message was sent; it will be matched against the echo instead of being sent again.',
  '2': 'Meta is temporarily unavailable; the send can be retried.',
  '341': 'Meta reported a temporary application limit; the send can be retried later.',
  '131000': 'WhatsApp reported an unexpected error; the send can be retried a limited number of times.',
  '131016': 'WhatsApp is temporarily overloaded; the send can be retried.',
  '131057': 'The WhatsApp Business account is in maintenance mode (about a minute, e.g. during a throughput upgrade); the send can be retried.',
  '133004': 'The WhatsApp server is temporarily unavailable; the send can be retried.',
  // Throttling
  '4': "The app reached Meta's application rate limit; the send can be retried after a wait.",
  '17': "The account reached Meta's user rate limit; the send can be retried after a wait.",
  '32': "The Page reached Meta's rate limit; the send can be retried after a wait.",
  '613': "The send exceeded one of Meta's rate limits; it can be retried after a wait.",
  '80001': "The Page reached Meta's business rate limit; the send can be retried after a wait.",
  '80002': "The Instagram account reached Meta's business rate limit; the send can be retried after a wait.",
  '80006': "The account reached Meta's Messenger rate limit; the send can be retried after a wait.",
  '80007': "The WhatsApp Business account reached Meta's rate limit; the send can be retried after a wait.",
  '130429': "The phone number exceeded its WhatsApp Cloud API throughput (messages per second); the send can be retried after a wait.",
  '131056': 'Too many messages went to this recipient in a short time (pair rate limit); wait before sending to them again.',
  // Quality
  '131048': 'WhatsApp limited this number because too many of its messages were reported as spam.',
  '131049': 'WhatsApp held back this marketing message to keep engagement healthy; do not resend it to this customer for about 24 hours.',
  '130472': "The customer's number is part of a WhatsApp experiment that holds back marketing messages.",
  // Permission
  '3': 'The app lacks the capability needed to send this message.',
  '10': 'The app does not have permission to send this message.',
  '200': 'The app lacks a permission needed to send on this channel.',
  '200/2534041': 'The Instagram account does not allow connected tools to access its messages (Settings → Messages → Connected tools).',
  '230': 'The customer has not allowed this account to message them.',
  '131005': 'Access denied: the token lacks WhatsApp messaging permission for this phone number.',
  // Bad request / recipient
  '33': 'The target object does not exist or the token cannot access it.',
  '100': 'Meta rejected a parameter of the request as invalid.',
  '100/2534014': 'No Instagram user matches the recipient id.',
  '131008': 'A required parameter is missing from the request.',
  '131009': 'A parameter value in the request is invalid.',
  '131021': 'The recipient is the sending phone number itself.',
  '131030': "The recipient is not in the phone number's list of allowed test recipients.",
  '135000': 'WhatsApp rejected the request because of an error in its parameters.',
  // Window
  '131047': 'More than 24 hours have passed since the customer last wrote; only an approved template can be sent now.',
  '10/2534022': 'The customer last wrote more than 24 hours ago; a human agent can still reply within 7 days using the HUMAN_AGENT tag.',
  // Recipient unavailable (usually: they blocked the account)
  '551': 'Meta reports that this person cannot be reached by this account right now, usually because they blocked it; neither a template nor the HUMAN_AGENT tag helps.',
  '551/1545041': 'Meta reports that this person cannot be reached by this account right now, usually because they blocked it; neither a template nor the HUMAN_AGENT tag helps.',
  // Undeliverable
  '131026': 'WhatsApp could not deliver the message: the recipient may not use WhatsApp, may run an outdated app or may not have accepted the latest terms.',
  '131051': 'WhatsApp does not support this message type.',
  '131052': 'WhatsApp could not download the media from the given link.',
  '131053': 'WhatsApp could not process the media (unsupported type or size).',
  // Templates
  '132000': 'The number of template parameters does not match the template.',
  '132001': 'The template does not exist in this language or is not approved.',
  '132005': 'The template text is too long once its parameters are filled in.',
  '132007': 'The template content violates a WhatsApp policy.',
  '132012': 'A template parameter does not have the format the template expects.',
  '132015': 'The template is paused because of low quality.',
  '132016': 'The template is disabled because of low quality.',
  '132068': 'The WhatsApp Flow in this template is blocked.',
  '132069': 'The WhatsApp Flow in this template is throttled.',
  // Account / policy / billing
  '368': 'Meta blocked the action as abusive or against its policies; the account may be temporarily restricted.',
  '131031': 'The WhatsApp Business account is locked or restricted for a policy violation.',
  '131042': 'The WhatsApp Business account has a payment problem (missing or invalid payment method, or credit limit reached).',
  '131045': 'The phone number has no valid display-name certificate.',
  '133010': 'The phone number is not registered with the WhatsApp Cloud API.',
};
