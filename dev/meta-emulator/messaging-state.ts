import { HUMAN_AGENT_WINDOW_MS, INSTAGRAM_WINDOW_MS, WHATSAPP_WINDOW_MS, type WhatsAppStatusStep } from './rules/messaging.js';

/**
 * What the emulator knows about conversations beyond single requests: when each customer last wrote
 * (the customer-service windows), what follows a business's send, customers whom Meta knows under
 * another number, who blocked an account, and how often each number was registered. `state.messaging`.
 */
export class MessagingState {
  /**
   * Whether the customer-service windows are enforced. Off by default so tests about other behaviour
   * need not open conversations first; the dev stack turns it on.
   */
  windowsEnforced: boolean;
  /** The statuses that follow an accepted WhatsApp send, each its own webhook (default: `sent`). */
  whatsappStatusSequence: WhatsAppStatusStep[] = ['sent'];
  /** Recipient (digits or BSUID) → the code its messages fail with after acceptance (131026, 131049, …). */
  readonly failingRecipients = new Map<string, number>();
  /**
   * Number as sent (digits) → the id WhatsApp knows the customer by (`contacts[0].wa_id` of the send
   * answer), e.g. a Brazilian mobile registered before the 9th digit: `5511987654321` → `551187654321`.
   */
  readonly whatsappIds = new Map<string, string>();
  /** `<account id>:<IGSID>`: the customer blocked the account; sends answer 551/1545041. */
  readonly blocked = new Set<string>();
  private readonly lastCustomerMessage = new Map<string, number>();
  private readonly registerCalls = new Map<string, number[]>();

  constructor(
    private readonly clock: () => Date,
    private readonly initialWindows: boolean,
  ) {
    this.windowsEnforced = initialWindows;
  }

  /** A customer wrote to a number or account (the sandbox calls it for every message it delivers). */
  customerWrote(channelId: string, customerId: string, at: Date = this.clock()): void {
    this.lastCustomerMessage.set(key(channelId, customerId), at.getTime());
  }

  /** Moves the customer's last message `byMs` into the past, as if time had passed. */
  ageConversation(channelId: string, customerId: string, byMs: number): void {
    const k = key(channelId, customerId);
    const last = this.lastCustomerMessage.get(k);
    if (last !== undefined) this.lastCustomerMessage.set(k, last - byMs);
  }

  lastCustomerMessageAt(channelId: string, customerId: string): Date | undefined {
    const at = this.lastCustomerMessage.get(key(channelId, customerId));
    return at === undefined ? undefined : new Date(at);
  }

  /** W1: a free-form WhatsApp message may go out (always, when windows are not enforced). */
  whatsappWindowOpen(phoneNumberId: string, customer: string): boolean {
    return !this.windowsEnforced || this.age(phoneNumberId, customer) <= WHATSAPP_WINDOW_MS;
  }

  /** W2: whether an Instagram message may go out, and only with HUMAN_AGENT after 24 h. */
  instagramWindow(accountId: string, igsid: string): 'open' | 'human_agent_only' | 'closed' {
    if (!this.windowsEnforced) return 'open';
    const age = this.age(accountId, igsid);
    if (age <= INSTAGRAM_WINDOW_MS) return 'open';
    return age <= HUMAN_AGENT_WINDOW_MS ? 'human_agent_only' : 'closed';
  }

  whatsappIdOf(digits: string): string {
    return this.whatsappIds.get(digits) ?? digits;
  }

  /**
   * WA-REG: at most 10 register (or deregister) calls per number in a moving 72 h window; the 11th is
   * refused (133016) and blocks registration for 72 h. Every call counts, refused or not.
   */
  admitRegister(phoneNumberId: string): boolean {
    const now = this.clock().getTime();
    const since = now - 72 * 60 * 60 * 1000;
    const calls = (this.registerCalls.get(phoneNumberId) ?? []).filter((at) => at > since);
    calls.push(now);
    this.registerCalls.set(phoneNumberId, calls);
    return calls.length <= 10;
  }

  reset(): void {
    this.windowsEnforced = this.initialWindows;
    this.whatsappStatusSequence = ['sent'];
    this.failingRecipients.clear();
    this.whatsappIds.clear();
    this.blocked.clear();
    this.lastCustomerMessage.clear();
    this.registerCalls.clear();
  }

  private age(channelId: string, customerId: string): number {
    const last = this.lastCustomerMessage.get(key(channelId, customerId));
    return last === undefined ? Number.POSITIVE_INFINITY : this.clock().getTime() - last;
  }
}

/** WhatsApp customers are keyed by digits, so `+1 650…` and `1650…` are one conversation. */
function key(channelId: string, customerId: string): string {
  return `${channelId}:${/^\+?[\d\s()-]+$/.test(customerId) ? customerId.replace(/\D/g, '') : customerId}`;
}
