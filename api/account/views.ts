import { Type, type Static } from '@fastify/type-provider-typebox';
import { Currency, Timestamp } from '../schemas.js';

export const AccountView = Type.Object({
  id: Type.String(),
  name: Type.String(),
  email: Type.String({ description: 'the owner’s sign-in email' }),
  contactEmail: Type.String(),
  phone: Type.Union([Type.String(), Type.Null()]),
  currency: Currency,
  timezone: Type.String(),
  realNameStatus: Type.Union([Type.Literal('none'), Type.Literal('pending'), Type.Literal('approved'), Type.Literal('rejected')]),
  createdAt: Timestamp,
});

export function toAccountView(
  account: { id: string; name: string; contactEmail: string; phone: string | null; currency: string; timezone: string; realNameStatus: string; createdAt: Date },
  email: string,
): Static<typeof AccountView> {
  return {
    id: account.id,
    name: account.name,
    email,
    contactEmail: account.contactEmail,
    phone: account.phone,
    currency: account.currency as Static<typeof Currency>,
    timezone: account.timezone,
    realNameStatus: account.realNameStatus as Static<typeof AccountView>['realNameStatus'],
    createdAt: account.createdAt.toISOString(),
  };
}
