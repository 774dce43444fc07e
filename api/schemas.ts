import { Type, type TSchema } from '@fastify/type-provider-typebox';
import { ROLES, STAFF_ROLES } from '../src/domain/identity/roles.js';

/** Schemas shared by several resources. A resource's own schemas live next to its routes. */

export const Email = Type.String({ format: 'email', minLength: 3, maxLength: 254, description: 'compared case-insensitively' });
export const Password = Type.String({ minLength: 1, maxLength: 128, description: 'at least 10 characters, not a common password' });
export const PersonName = Type.String({ minLength: 1, maxLength: 100, pattern: '\\S' });
// RFC 3339 allows a leap second (23:59:60), which JavaScript cannot read as a time: refused here, as a 400,
// rather than becoming an invalid Date further in.
export const Timestamp = Type.String({ format: 'date-time', pattern: '^(?!\\d{4}-\\d{2}-\\d{2}[Tt ]\\d{2}:\\d{2}:60)', description: 'RFC 3339, UTC' });
export const Uuid = Type.String({ format: 'uuid' });
export const Role = Type.Enum(ROLES);
export const StaffRole = Type.Enum(STAFF_ROLES);
export const Currency = Type.Union([Type.Literal('CNY'), Type.Literal('USD')]);
export const TimeZone = Type.String({ minLength: 1, maxLength: 64, description: 'IANA time zone, e.g. Asia/Shanghai' });

export const Problem = Type.Object(
  {
    type: Type.String(),
    title: Type.String(),
    status: Type.Integer(),
    detail: Type.Optional(Type.String()),
    errors: Type.Optional(Type.Array(Type.Object({ path: Type.String(), message: Type.String() }))),
    instance: Type.Optional(Type.String()),
    requestId: Type.Optional(Type.String()),
  },
  { $id: 'Problem', description: 'RFC 9457 problem details (application/problem+json)' },
);

/** Problem responses for the OpenAPI document: `problems(400, 401, 404)`. */
export function problems(...statuses: number[]): Record<number, TSchema> {
  return Object.fromEntries(statuses.map((status) => [status, Problem]));
}

export const PageQuery = {
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 200, default: 50 })),
  cursor: Type.Optional(Type.String({ maxLength: 200 })),
};

export function Page<T extends TSchema>(item: T) {
  return Type.Object({ items: Type.Array(item), nextCursor: Type.Union([Type.String(), Type.Null()]) });
}
