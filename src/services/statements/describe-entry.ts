import type { JournalEntryKind } from '../../domain/ledger/index.js';
import type { SourceChange } from './common.js';

/**
 * The one-line text a statement shows for an entry. Built from what the entry stored (`details`) and which of
 * the customer's sources it moved, so it needs no extra reads. Unknown or missing details fall back to the
 * plain label of the kind rather than failing: a statement line must always render.
 */
export function describeEntry(entry: { kind: JournalEntryKind; details: unknown; sources: readonly SourceChange[] }): string {
  const details = isRecord(entry.details) ? entry.details : {};
  const text = (key: string): string | undefined => {
    const value = details[key];
    return typeof value === 'string' && value.trim() !== '' ? value.trim() : undefined;
  };
  const sourceId = entry.sources.find((s) => s.sourceId !== null)?.sourceId ?? undefined;
  const withId = (label: string, id: string | undefined) => (id ? `${label} (${id})` : label);
  switch (entry.kind) {
    case 'usage_charge': {
      const item = text('item');
      return withId(item ? `Usage ${item}` : 'Usage', text('usageRecordId'));
    }
    case 'recharge_cash':
      return 'Cash recharge';
    case 'recharge_voucher':
      return withId('Voucher recharge', text('voucherId') ?? sourceId);
    case 'recharge_prepaid_card':
      return withId('Prepaid card recharge', text('cardNo') ?? sourceId);
    case 'adjustment': {
      const reason = text('reason');
      return reason ? `Adjustment: ${reason}` : 'Adjustment';
    }
    case 'expiry': {
      const what = entry.sources.some((s) => s.source === 'prepaid_card') ? 'Prepaid card expired' : 'Voucher expired';
      return withId(what, sourceId);
    }
    case 'reversal': {
      const reason = text('reason');
      return reason ? `Reversal: ${reason}` : 'Reversal';
    }
  }
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
