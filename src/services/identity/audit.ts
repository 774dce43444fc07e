import type { Tx } from '../../db/transaction.js';

export interface AuditRecord {
  actorId: string;
  action: string;
  targetType: string;
  targetId: string;
  details?: Record<string, string | number | boolean | null | string[]>;
}

/** Records a staff write inside the same transaction as the write, so neither exists without the other. */
export async function audit(tx: Tx, record: AuditRecord): Promise<void> {
  await tx.auditEvent.create({
    data: {
      actorId: record.actorId,
      action: record.action,
      targetType: record.targetType,
      targetId: record.targetId,
      details: record.details ?? {},
    },
  });
}
