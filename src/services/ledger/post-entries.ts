import type { Tx } from '../../db/transaction.js';
import type { JournalEntry, LedgerAccount } from '../../domain/ledger/index.js';
import { balanceBand, type BalanceBand, worsened } from '../../domain/ledger/balance-band.js';
import { Money, type Currency } from '../../domain/money.js';
import { queueEmail } from '../notifications/outbox.js';

/**
 * Writes journal entries: the only code that moves money. Callers build the entries with the pure rules of
 * src/domain/ledger; this stores them, exactly once each (the business key is unique, so a retry or a
 * replay posts nothing), and in the same transaction:
 * - creates the ledger accounts the postings name, on first use;
 * - keeps each ledger account's stored net equal to the sum of its postings;
 * - records each billing-center account's running balance on its entries;
 * - moves the account's alert band, queueing one email when it crosses into "low" or "arrears".
 *
 * Must run inside `inTransaction(..., { isolation: ReadCommitted })`: it locks each billing-center account
 * it touches (in id order, so two posters never deadlock), which serializes all money movements of one
 * account; system accounts are updated with `net = net + delta`, which row locks make safe.
 */

export interface EntryToPost {
  entry: JournalEntry;
  /** The billing-center account whose money moves (every entry in this system has one). */
  accountId: string;
  occurredAt: Date;
  details?: Record<string, unknown>;
  actorId?: string | null;
  /** Terms of a voucher or card account that this entry creates (expiry, scope, minimum spend). */
  sourceTerms?: Map<string, SourceTerms>;
}

export interface SourceTerms {
  expiresAt: Date | null;
  validFrom?: Date | null;
  scope?: readonly string[];
  minSpend?: Money | null;
}

export interface PostResult {
  /** Business keys posted now; the others were posted before and were left alone. */
  posted: Set<string>;
  entryIds: Map<string, bigint>;
}

interface AccountRow {
  id: string;
  currency: string;
  contact_email: string;
  name: string;
  alert_threshold_minor: bigint;
  alert_state: string;
}

function ledgerAccountColumns(account: LedgerAccount) {
  return account.owner === 'customer'
    ? { accountId: account.billingAccountId, source: account.source, sourceId: account.sourceId }
    : { accountId: null, source: null, sourceId: null };
}

export interface PostOptions {
  /**
   * The caller's own writes that belong to the same transaction (e.g. marking usage records charged with
   * their entry ids). They run after the entries are stored and before the shared system accounts are
   * updated, which is the last statement: whatever runs after it holds every other poster's lock.
   */
  beforeSystemAccounts?: (result: PostResult) => Promise<void>;
}

export async function postEntries(tx: Tx, toPost: readonly EntryToPost[], now: Date, options: PostOptions = {}): Promise<PostResult> {
  const { result, systemDeltas } = await storeEntries(tx, toPost, now);
  await options.beforeSystemAccounts?.(result);
  // The shared system accounts (usage revenue, payments clearing: on nearly every entry) at the very end, just
  // before commit: their row locks serialize all posters, so they are held the shortest time.
  await addToNet(tx, systemDeltas);
  return result;
}

type Deltas = Array<[bigint, bigint]>;

/** Everything of postEntries but the system accounts' nets, which it returns for the caller to add last. */
async function storeEntries(tx: Tx, toPost: readonly EntryToPost[], now: Date): Promise<{ result: PostResult; systemDeltas: Deltas }> {
  const result: PostResult = { posted: new Set(), entryIds: new Map() };
  if (toPost.length === 0) return { result, systemDeltas: [] };

  const accountIds = [...new Set(toPost.map((p) => p.accountId))].sort();
  const accounts = await tx.$queryRaw<AccountRow[]>`
    SELECT id, currency, contact_email, name, alert_threshold_minor, alert_state
    FROM accounts WHERE id = ANY(${accountIds}::uuid[]) ORDER BY id FOR UPDATE`;
  const accountById = new Map(accounts.map((a) => [a.id, a]));

  // Ledger accounts: create the missing ones, then learn every id.
  const ledgerAccounts = new Map<string, LedgerAccount>();
  for (const { entry } of toPost) for (const posting of entry.postings) ledgerAccounts.set(posting.account.key, posting.account);
  const terms = new Map<string, SourceTerms>();
  for (const item of toPost) for (const [key, value] of item.sourceTerms ?? []) terms.set(key, value);
  const list = [...ledgerAccounts.values()];
  const keysOfLedger = list.map((a) => a.key);
  // One statement creates the missing ones and reads every id. Its snapshot predates a concurrent first use of
  // the same key (only a system account can be new to two posters at once: customer accounts are locked), whose
  // row it then sees neither inserted nor existing; a second read, with a fresh snapshot, finds it.
  let idRows = await tx.$queryRaw<{ id: bigint; key: string }[]>`
    WITH created AS (
      INSERT INTO ledger_accounts (key, currency, type, account_id, source, source_id, valid_from, expires_at, scope, min_spend_minor)
      SELECT k, c, t, a::uuid, s, si, vf, ea, COALESCE(string_to_array(sc, chr(31)), '{}'), ms
      FROM unnest(
        ${keysOfLedger}::text[], ${list.map((a) => a.currency)}::text[], ${list.map((a) => a.type)}::text[],
        ${list.map((a) => ledgerAccountColumns(a).accountId)}::text[], ${list.map((a) => ledgerAccountColumns(a).source)}::text[],
        ${list.map((a) => ledgerAccountColumns(a).sourceId)}::text[],
        ${list.map((a) => terms.get(a.key)?.validFrom ?? null)}::timestamptz[],
        ${list.map((a) => terms.get(a.key)?.expiresAt ?? null)}::timestamptz[],
        ${list.map((a) => (terms.get(a.key)?.scope?.length ? terms.get(a.key)!.scope!.join('\u001f') : null))}::text[],
        ${list.map((a) => terms.get(a.key)?.minSpend?.minor ?? null)}::bigint[]
      ) AS x(k, c, t, a, s, si, vf, ea, sc, ms)
      ON CONFLICT (key) DO NOTHING
      RETURNING id, key
    )
    SELECT id, key FROM created
    UNION ALL
    SELECT id, key FROM ledger_accounts WHERE key = ANY(${keysOfLedger}::text[])`;
  if (new Set(idRows.map((row) => row.key)).size < keysOfLedger.length) {
    idRows = await tx.$queryRaw<{ id: bigint; key: string }[]>`SELECT id, key FROM ledger_accounts WHERE key = ANY(${keysOfLedger}::text[])`;
  }
  const ledgerIdByKey = new Map(idRows.map((row) => [row.key, row.id]));

  // In one statement (every statement costs a round trip and the client's CPU): each account's total before
  // these entries, for the running balances; and the entries already posted, found by their unique business key
  // and skipped whole.
  const keys = toPost.map((p) => p.entry.key);
  const known = await tx.$queryRaw<{ what: 'total' | 'posted'; key: string; value: bigint | null }[]>`
    SELECT 'total' AS what, account_id::text AS key, SUM(net_minor)::bigint AS value FROM ledger_accounts
    WHERE account_id = ANY(${accountIds}::uuid[]) GROUP BY account_id
    UNION ALL
    SELECT 'posted', business_key, id FROM journal_entries WHERE business_key = ANY(${keys}::text[])`;
  const totals = new Map<string, bigint>();
  for (const id of accountIds) totals.set(id, 0n);
  for (const row of known) {
    if (row.what === 'total') totals.set(row.key, -(row.value ?? 0n));
    else result.entryIds.set(row.key, row.value!);
  }
  const startTotals = new Map(totals);
  const seen = new Set<string>();
  const fresh = toPost.filter((p) => !result.entryIds.has(p.entry.key) && !seen.has(p.entry.key) && seen.add(p.entry.key));
  if (fresh.length === 0) return { result, systemDeltas: [] };

  const balanceAfter: bigint[] = [];
  for (const { entry, accountId } of fresh) {
    let delta = 0n;
    for (const posting of entry.postings) {
      if (posting.account.owner === 'customer' && posting.account.billingAccountId === accountId) delta -= posting.amount.minor;
    }
    const total = (totals.get(accountId) ?? 0n) + delta;
    totals.set(accountId, total);
    balanceAfter.push(total);
  }

  // Postings name their entry by business key until it has an id; kept in posting order (the order the
  // account_changes repeat).
  const postingKey: string[] = [];
  const postingAccount: bigint[] = [];
  const postingAmount: bigint[] = [];
  const deltaByLedgerAccount = new Map<bigint, bigint>();
  for (const { entry } of fresh) {
    for (const posting of entry.postings) {
      const ledgerId = ledgerIdByKey.get(posting.account.key)!;
      postingKey.push(entry.key);
      postingAccount.push(ledgerId);
      postingAmount.push(posting.amount.minor);
      deltaByLedgerAccount.set(ledgerId, (deltaByLedgerAccount.get(ledgerId) ?? 0n) + posting.amount.minor);
    }
  }
  const deltas = [...deltaByLedgerAccount].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  const systemIds = new Set([...ledgerIdByKey].filter(([key]) => key.startsWith('system/')).map(([, id]) => id));
  // The customer accounts' nets now; the shared system accounts are left to postEntries, for the very end.
  const customerDeltas = deltas.filter(([id]) => !systemIds.has(id));

  // Entries, their postings and the customer accounts' nets in one statement.
  const inserted = await tx.$queryRaw<{ id: bigint; business_key: string }[]>`
    WITH entries AS (
      INSERT INTO journal_entries (business_key, kind, currency, account_id, reverses_key, balance_after_minor, actor_id, details,
                                   account_changes, occurred_at)
      SELECT * FROM unnest(
        ${fresh.map((p) => p.entry.key)}::text[], ${fresh.map((p) => p.entry.kind)}::text[], ${fresh.map((p) => p.entry.currency)}::text[],
        ${fresh.map((p) => p.accountId)}::uuid[], ${fresh.map((p) => p.entry.reverses)}::text[], ${balanceAfter}::bigint[],
        ${fresh.map((p) => p.actorId ?? null)}::uuid[], ${fresh.map((p) => JSON.stringify(p.details ?? {}))}::jsonb[],
        ${fresh.map((p) => JSON.stringify(accountChanges(p)))}::json[], ${fresh.map((p) => p.occurredAt)}::timestamptz[]
      )
      RETURNING id, business_key
    ), postings AS (
      INSERT INTO postings (entry_id, ledger_account_id, amount_minor)
      SELECT e.id, p.ledger_account_id, p.amount_minor
      FROM unnest(${postingKey}::text[], ${postingAccount}::bigint[], ${postingAmount}::bigint[]) WITH ORDINALITY
        AS p(business_key, ledger_account_id, amount_minor, n)
      JOIN entries e ON e.business_key = p.business_key
      ORDER BY p.n
      RETURNING 1
    ), nets AS (
      UPDATE ledger_accounts SET net_minor = net_minor + d.delta
      FROM unnest(${customerDeltas.map(([id]) => id)}::bigint[], ${customerDeltas.map(([, d]) => d)}::bigint[]) AS d(id, delta)
      WHERE ledger_accounts.id = d.id
      RETURNING 1
    )
    SELECT id, business_key FROM entries`;
  for (const row of inserted) {
    result.posted.add(row.business_key);
    result.entryIds.set(row.business_key, row.id);
  }

  for (const accountId of accountIds) {
    const account = accountById.get(accountId);
    if (!account) continue;
    await moveAlertBand(tx, account, startTotals.get(accountId) ?? 0n, totals.get(accountId) ?? 0n, now, keys);
  }
  return { result, systemDeltas: deltas.filter(([id]) => systemIds.has(id)) };
}

/**
 * The entry's postings on its own account's balance sources, in posting order, as journal_entries.account_changes
 * stores them: [source, source id (null for cash), currency, amount in minor units as a string].
 */
function accountChanges({ entry, accountId }: EntryToPost): Array<[string, string | null, string, string]> {
  return entry.postings.flatMap(({ account, amount }) =>
    account.owner === 'customer' && account.billingAccountId === accountId ? [[account.source, account.sourceId, account.currency, amount.minor.toString()]] : [],
  );
}

/** Adds each delta to its ledger account's stored net, in the given (id) order. */
async function addToNet(tx: Tx, deltas: Deltas): Promise<void> {
  if (deltas.length === 0) return;
  await tx.$executeRaw`
    UPDATE ledger_accounts SET net_minor = net_minor + d.delta
    FROM unnest(${deltas.map(([id]) => id)}::bigint[], ${deltas.map(([, d]) => d)}::bigint[]) AS d(id, delta)
    WHERE ledger_accounts.id = d.id`;
}

async function moveAlertBand(tx: Tx, account: AccountRow, before: bigint, after: bigint, now: Date, keys: string[]) {
  const band = balanceBand(after, account.alert_threshold_minor);
  const previous = account.alert_state as BalanceBand;
  if (band === previous) return;
  await tx.account.update({ where: { id: account.id }, data: { alertState: band } });
  if (!worsened(previous, band)) return;
  const currency = account.currency as Currency;
  const balance = Money.ofMinor(after, currency);
  const threshold = Money.ofMinor(account.alert_threshold_minor, currency);
  await queueEmail(tx, {
    // One alert per crossing: the key names the crossing (the band and the entry that caused it).
    businessKey: `balance-alert/${account.id}/${band}/${keys[keys.length - 1] ?? now.toISOString()}`,
    kind: band === 'arrears' ? 'balance-arrears' : 'balance-low',
    to: account.contact_email,
    accountId: account.id,
    subject: band === 'arrears' ? 'Your Billing Center balance is in arrears' : 'Your Billing Center balance is running low',
    body: [
      `Hello ${account.name},`,
      '',
      band === 'arrears'
        ? `Your available balance is now ${balance.toString()}: usage is being charged as arrears.`
        : `Your available balance is now ${balance.toString()}, below your alert threshold of ${threshold.toString()}.`,
      'Recharge in the Billing Center to keep your workspaces running.',
      '',
      `(balance was ${Money.ofMinor(before, currency).toString()})`,
    ].join('\n'),
  });
}

