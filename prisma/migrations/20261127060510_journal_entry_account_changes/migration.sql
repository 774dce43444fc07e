-- AlterTable
ALTER TABLE "journal_entries" ADD COLUMN     "account_changes" JSON NOT NULL DEFAULT '[]';


-- Backfill: every entry's postings on its own account's ledger accounts, in posting order.
UPDATE "journal_entries" e SET "account_changes" = c.changes
FROM (
  SELECT p.entry_id,
         json_agg(json_build_array(la.source, la.source_id, la.currency, p.amount_minor::text) ORDER BY p.id) AS changes
  FROM "postings" p
  JOIN "ledger_accounts" la ON la.id = p.ledger_account_id
  JOIN "journal_entries" je ON je.id = p.entry_id AND je.account_id = la.account_id
  GROUP BY p.entry_id
) c
WHERE c.entry_id = e.id;
