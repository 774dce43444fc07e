import type { JournalEntryKind } from '../../domain/ledger/index.js';
import type { SourceChange } from './common.js';

/**
 * The one-line text a statement shows for an entry. Built from what the entry stored (`details`) and which of
 * the customer's sources it moved, so it needs no extra reads. Unknown or missing details fall back to the
 * plain label of the kind rather than failing: a statement line must always render.
 */
export function describeEntry(entry: { kind: JournalEntryKind; details: Record<string, unknown>; sources: readonly SourceChange[] }): string {
  // Every line of every statement page comes through here: module-level helpers, no closures per call.
  const { details } = entry;
  switch (entry.kind) {
    case 'usage_charge': {
      const item = text(details, 'item');
      return withId(item ? `Usage ${item}` : 'Usage', text(details, 'usageRecordId'));
    }
    case 'recharge_cash':
      return 'Cash recharge';
    case 'recharge_voucher':
      return withId('Voucher recharge', text(details, 'voucherId') ?? firstSourceId(entry.sources));
    case 'recharge_prepaid_card':
      return withId('Prepaid card recharge', text(details, 'cardNo') ?? firstSourceId(entry.sources));
    case 'adjustment': {
      const reason = text(details, 'reason');
      return reason ? `Adjustment: ${reason}` : 'Adjustment';
    }
    case 'expiry': {
      const what = entry.sources.some((s) => s.source === 'prepaid_card') ? 'Prepaid card expired' : 'Voucher expired';
      return withId(what, firstSourceId(entry.sources));
    }
    case 'reversal': {
      const reason = text(details, 'reason');
      return reason ? `Reversal: ${reason}` : 'Reversal';
    }
  }
}

function text(details: Record<string, unknown>, key: string): string | undefined {
  const value = details[key];
  return typeof value === 'string' && value.trim() !== '' ? value.trim() : undefined;
}

function withId(label: string, id: string | undefined): string {
  return id ? `${label} (${id})` : label;
}

function firstSourceId(sources: readonly SourceChange[]): string | undefined {
  return sources.find((s) => s.sourceId !== null)?.sourceId ?? undefined;
}
