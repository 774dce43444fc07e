import { describe, expect, it } from 'vitest';
import { routeByPeriod, type WorkspaceSettlements } from '../../../src/domain/settlement/routing.js';

const CLOUD = '11111111-1111-4111-8111-111111111111';
const CUT = new Date('2026-12-01T00:00:00Z');
const before = new Date('2026-11-30T23:59:00Z');
const after = new Date('2026-12-01T00:00:00Z');

describe('routing a usage record by the settlement in force at its period', () => {
  it('sends periods before a cut-over to the old method and from the cut-over on to the new, whenever they arrive', () => {
    const switched: WorkspaceSettlements = {
      current: { method: 'cloud_account', cloudAccountId: CLOUD },
      since: CUT,
      history: [{ method: 'billing_center', cloudAccountId: null, from: null, until: CUT }],
      changingAt: null,
    };
    expect(routeByPeriod(switched, before)).toEqual({ method: 'billing_center', cloudAccountId: null });
    expect(routeByPeriod(switched, after)).toEqual({ method: 'cloud_account', cloudAccountId: CLOUD });
  });

  it('walks a longer history to the period that contains the record', () => {
    const back: WorkspaceSettlements = {
      current: { method: 'billing_center', cloudAccountId: null },
      since: new Date('2027-01-01T00:00:00Z'),
      history: [
        { method: 'billing_center', cloudAccountId: null, from: null, until: CUT },
        { method: 'cloud_account', cloudAccountId: CLOUD, from: CUT, until: new Date('2027-01-01T00:00:00Z') },
      ],
      changingAt: null,
    };
    expect(routeByPeriod(back, new Date('2026-06-01T00:00:00Z')).method).toBe('billing_center');
    expect(routeByPeriod(back, new Date('2026-12-15T00:00:00Z'))).toEqual({ method: 'cloud_account', cloudAccountId: CLOUD });
    expect(routeByPeriod(back, new Date('2027-01-01T00:00:00Z')).method).toBe('billing_center');
  });

  it('holds periods from the cut-over of a change in flight, and routes earlier ones as before', () => {
    const changing: WorkspaceSettlements = { current: { method: 'billing_center', cloudAccountId: null }, since: null, history: [], changingAt: CUT };
    expect(routeByPeriod(changing, before).method).toBe('billing_center');
    expect(routeByPeriod(changing, after).method).toBe('held');
  });
});
