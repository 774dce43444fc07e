import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { composeAccountBill, type PostingSum } from '../../../src/services/billing/content.js';
import { ENTRY_KINDS } from '../../../src/services/statements/common.js';

describe("composing an account's bill from the ledger's sums", () => {
  it('reads postings on the customer side, orders movements by kind, and carries arrears', () => {
    const bill = composeAccountBill(
      [
        { source: 'cash', bucket: 'opening', net: -1000n },
        { source: 'cash', bucket: 'usage_charge', net: 2500n },
        { source: 'voucher', bucket: 'usage_charge', net: 300n },
        { source: 'voucher', bucket: 'recharge_voucher', net: -300n },
      ],
      [{ workspaceId: 'ws-1', site: 'cn1', item: 'logs', unit: 'GB', quantity: '2.5', net: 2800n, records: 3 }],
    );
    expect(bill).toEqual({
      kind: 'account',
      opening: { cash: '1000', vouchers: '0', prepaidCards: '0', total: '1000' },
      movements: [
        { kind: 'recharge_voucher', change: { cash: '0', vouchers: '300', prepaidCards: '0', total: '300' } },
        { kind: 'usage_charge', change: { cash: '-2500', vouchers: '-300', prepaidCards: '0', total: '-2800' } },
      ],
      paidBy: { cash: '2500', vouchers: '300', prepaidCards: '0', total: '2800' },
      closing: { cash: '-1500', vouchers: '0', prepaidCards: '0', total: '-1500' },
      arrears: { opening: '0', closing: '1500' },
      lines: [{ workspaceId: 'ws-1', site: 'cn1', item: 'logs', unit: 'GB', quantity: '2.5', amount: '2800', records: 3 }],
      cloudAccountIds: [],
    });
  });

  it('always closes at opening plus movements, source by source, and at minus the sum of every posting', () => {
    const sum = fc.record({
      source: fc.constantFrom('cash' as const, 'voucher' as const, 'prepaid_card' as const),
      bucket: fc.constantFrom('opening' as const, ...ENTRY_KINDS),
      net: fc.bigInt({ min: -(10n ** 15n), max: 10n ** 15n }),
    });
    fc.assert(
      fc.property(fc.array(sum, { maxLength: 40 }), (sums: PostingSum[]) => {
        const bill = composeAccountBill(sums, []);
        for (const source of ['cash', 'vouchers', 'prepaidCards', 'total'] as const) {
          const moved = bill.movements.reduce((total, m) => total + BigInt(m.change[source]), 0n);
          expect(BigInt(bill.closing[source])).toBe(BigInt(bill.opening[source]) + moved);
        }
        expect(BigInt(bill.closing.total)).toBe(-sums.reduce((total, s) => total + s.net, 0n));
        expect(BigInt(bill.arrears.closing)).toBe(BigInt(bill.closing.cash) < 0n ? -BigInt(bill.closing.cash) : 0n);
      }),
    );
  });
});
