import { Prisma } from '../../db/generated/client.js';
import { CURRENCIES, minorDigitsOf } from '../../domain/money.js';

/**
 * A usage record's metered quantity, in SQL over `usage_records u`: its quantity, or, for a record the platform
 * priced itself (amount only), the amount in major units. Summed exactly by PostgreSQL's numeric.
 */
export const meteredQuantity = Prisma.sql`coalesce(u.quantity, u.amount_minor::numeric / CASE u.currency ${Prisma.join(
  CURRENCIES.map((currency) => Prisma.sql`WHEN ${currency} THEN ${10 ** minorDigitsOf(currency)}::numeric`),
  ' ',
)} END)`;
