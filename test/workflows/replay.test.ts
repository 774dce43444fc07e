import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { Worker } from '@temporalio/worker';
import { describe, expect, it } from 'vitest';
import { WORKFLOWS_PATH } from '../../src/temporal/worker.js';
import { decodeHistory, HISTORIES_DIR } from '../support/histories.js';

/**
 * Every history recorded from a shipped workflow replays against the current code without a determinism
 * error. A change that would break running workflows fails here; make it with `patched()` instead.
 */
describe('replaying recorded histories', async () => {
  const files = (await readdir(HISTORIES_DIR)).filter((file) => file.endsWith('.history.pb')).sort();

  it('has histories of the shipped workflows', () => {
    expect(files).toEqual(
      expect.arrayContaining([
        'usage-charging.history.pb',
        'usage-charging-sweep.history.pb',
        'balance-source-lifetime.history.pb',
        'recharge-voucher.history.pb',
        'recharge-cash-paid.history.pb',
        'recharge-cash-cancelled.history.pb',
        // Recorded after the patches 'expire-locally' and 'recharge-local-steps': the paths they added.
        'balance-source-lifetime-local-expiry.history.pb',
        'recharge-voucher-local-steps.history.pb',
        'marketplace-metering.history.pb',
        'marketplace-metering-cutover.history.pb',
        'ticket-lifecycle.history.pb',
        'ticket-clocks.history.pb',
        'ticket-sla-breach.history.pb',
        'lifetime-starts.history.pb',
        'settlement-change-to-cloud.history.pb',
        'settlement-change-to-billing-center.history.pb',
        'settlement-change-refused.history.pb',
        'settlement-change-cancelled.history.pb',
        'monthly-bills.history.pb',
        // A run that continued as new (10,000 accounts).
        'monthly-bills-continued.history.pb',
        'balance-expiry-sweep.history.pb',
        // A voucher recharge that tells no lifetime, and a voucher lifetime that keeps its own dates.
        'recharge-voucher-no-word.history.pb',
        'voucher-lifetime-own-dates.history.pb',
      ]),
    );
  });

  it.each(files)('replays %s', async (file) => {
    const history = decodeHistory(await readFile(path.join(HISTORIES_DIR, file)));
    expect(history.events?.length).toBeGreaterThan(3);
    await expect(Worker.runReplayHistory({ workflowsPath: WORKFLOWS_PATH }, history, file)).resolves.toBeUndefined();
  });
});
