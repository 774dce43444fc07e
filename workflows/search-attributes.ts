import { defineSearchAttributeKey, SearchAttributeType } from '@temporalio/common';

/**
 * The custom search attributes operators filter by in the Temporal Web UI. They are registered on the
 * server at start (see src/temporal/search-attributes.ts), so adding one here is all it takes.
 */
export const SearchAttributes = {
  /** Billing-center account that owns the process. */
  accountId: defineSearchAttributeKey('BillingAccountId', SearchAttributeType.KEYWORD),
  workspaceId: defineSearchAttributeKey('WorkspaceId', SearchAttributeType.KEYWORD),
  cardNo: defineSearchAttributeKey('PrepaidCardNo', SearchAttributeType.KEYWORD),
  voucherCode: defineSearchAttributeKey('VoucherCode', SearchAttributeType.KEYWORD),
  rechargeMethod: defineSearchAttributeKey('RechargeMethod', SearchAttributeType.KEYWORD),
  ticketNo: defineSearchAttributeKey('TicketNo', SearchAttributeType.KEYWORD),
  ticketPriority: defineSearchAttributeKey('TicketPriority', SearchAttributeType.KEYWORD),
  ticketAssignee: defineSearchAttributeKey('TicketAssignee', SearchAttributeType.KEYWORD),
  /** The business state of the process (card active/expired, ticket open/resolved, recharge pending/completed). */
  businessStatus: defineSearchAttributeKey('BusinessStatus', SearchAttributeType.KEYWORD),
  expiresAt: defineSearchAttributeKey('ExpiresAt', SearchAttributeType.DATETIME),
} as const;

export const allSearchAttributeKeys = Object.values(SearchAttributes);
