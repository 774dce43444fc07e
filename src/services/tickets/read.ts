import type { ServiceContext } from '../context.js';

/** The thread, oldest first; internal notes only for staff. */
export function ticketThread(ctx: ServiceContext, ticketId: string, options: { includeInternal: boolean }) {
  return ctx.prisma.ticketMessage.findMany({
    where: { ticketId, ...(options.includeInternal ? {} : { internal: false }) },
    orderBy: [{ createdAt: 'asc' }, { id: 'asc' }],
  });
}
