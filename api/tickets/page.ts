import type { Prisma } from '../../src/db/generated/client.js';
import type { ServiceContext } from '../../src/services/context.js';
import { afterCursorDesc, decodeCursor, page } from '../pagination.js';

/** One page of tickets matching `where`, newest first: the customers' list and support's queue alike. */
export async function ticketPage(services: ServiceContext, where: Prisma.TicketWhereInput, query: { limit?: number; cursor?: string }) {
  const limit = query.limit ?? 50;
  const rows = await services.prisma.ticket.findMany({
    where: { ...where, ...afterCursorDesc(decodeCursor(query.cursor), 'createdAt') },
    orderBy: [{ createdAt: 'desc' }, { id: 'desc' }],
    take: limit + 1,
  });
  return page(rows, limit, (row) => ({ at: row.createdAt, id: row.id }));
}
