import { Type, type Static } from '@fastify/type-provider-typebox';
import { maskCreditCode, maskResidentId } from '../../src/domain/identity/masking.js';
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

export const RealNameType = Type.Union([Type.Literal('individual'), Type.Literal('enterprise')]);
export const RealNameStatus = Type.Union([Type.Literal('pending'), Type.Literal('approved'), Type.Literal('rejected')]);
const NullableString = Type.Union([Type.String(), Type.Null()]);

/** One real-name submission as its owner sees it. The document number is only ever shown masked. */
export const RealNameView = Type.Object({
  id: Type.String(),
  status: RealNameStatus,
  type: RealNameType,
  legalName: Type.Union([Type.String(), Type.Null()], { description: 'the person’s legal name (individual)' }),
  companyName: Type.Union([Type.String(), Type.Null()], { description: 'the company’s registered name (enterprise)' }),
  legalRepresentative: NullableString,
  documentNumber: Type.String({ description: 'resident ID number or unified social credit code, masked' }),
  rejectionReason: NullableString,
  submittedAt: Timestamp,
  reviewedAt: Type.Union([Timestamp, Type.Null()]),
});

export interface RealNameRow {
  id: string;
  accountId: string;
  type: string;
  legalName: string;
  documentNumber: string;
  legalRepresentative: string | null;
  status: string;
  rejectionReason: string | null;
  submittedAt: Date;
  reviewedById: string | null;
  reviewedAt: Date | null;
}

export function toRealNameView(row: RealNameRow): Static<typeof RealNameView> {
  const enterprise = row.type === 'enterprise';
  return {
    id: row.id,
    status: row.status as Static<typeof RealNameStatus>,
    type: row.type as Static<typeof RealNameType>,
    // One column holds either name; the API names it for what it is.
    legalName: enterprise ? null : row.legalName,
    companyName: enterprise ? row.legalName : null,
    legalRepresentative: row.legalRepresentative,
    documentNumber: enterprise ? maskCreditCode(row.documentNumber) : maskResidentId(row.documentNumber),
    rejectionReason: row.rejectionReason,
    submittedAt: row.submittedAt.toISOString(),
    reviewedAt: row.reviewedAt?.toISOString() ?? null,
  };
}

/** The same submission as support staff review it: which account, and who decided. */
export const RealNameReviewView = Type.Object({
  ...RealNameView.properties,
  accountId: Type.String(),
  reviewedById: NullableString,
});

export function toRealNameReviewView(row: RealNameRow): Static<typeof RealNameReviewView> {
  return { ...toRealNameView(row), accountId: row.accountId, reviewedById: row.reviewedById };
}
