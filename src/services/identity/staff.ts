import { DomainError, notFound } from '../../domain/errors.js';
import type { StaffRole } from '../../domain/identity/roles.js';
import { inTransaction, isUniqueViolation } from '../../db/transaction.js';
import type { Logger } from '../../logger.js';
import type { ServiceContext } from '../context.js';
import { audit } from './audit.js';
import { assertStrongPassword, hashPassword } from './passwords.js';
import { normalizeEmail } from './sign-in.js';

export interface NewStaff {
  email: string;
  name: string;
  password: string;
  roles: StaffRole[];
}

export async function createStaff(ctx: ServiceContext, actorId: string, input: NewStaff) {
  const email = normalizeEmail(input.email);
  assertStrongPassword(input.password, '/body/password', email);
  const passwordHash = await hashPassword(input.password);
  try {
    return await inTransaction(ctx.prisma, async (tx) => {
      const user = await tx.user.create({
        data: { email, name: input.name, passwordHash, roles: [...new Set(input.roles)], createdById: actorId },
      });
      await audit(tx, { actorId, action: 'staff.created', targetType: 'user', targetId: user.id, details: { email, roles: user.roles } });
      return user;
    });
  } catch (error) {
    if (isUniqueViolation(error)) throw new DomainError('conflict', 'email-taken', 'A user with this email already exists.');
    throw error;
  }
}

/** Replaces a staff user's roles (a role grant or withdrawal); customers' roles are not staff's to change. */
export async function setStaffRoles(ctx: ServiceContext, actorId: string, userId: string, roles: StaffRole[]) {
  const updated = await inTransaction(ctx.prisma, async (tx) => {
    const user = await tx.user.findUnique({ where: { id: userId } });
    if (!user || user.accountId !== null) throw notFound('Staff user');
    if (userId === actorId && !roles.includes('admin')) {
      throw new DomainError('conflict', 'last-admin-guard', 'Admins cannot take the admin role from themselves.');
    }
    const updated = await tx.user.update({ where: { id: userId }, data: { roles: [...new Set(roles)] } });
    await audit(tx, {
      actorId,
      action: 'staff.roles_changed',
      targetType: 'user',
      targetId: userId,
      details: { before: user.roles, after: updated.roles },
    });
    return updated;
  });
  // Other processes hear of it from the database; this one must not authorize the very next request from memory.
  ctx.principals.forgetAll();
  return updated;
}

/** Creates the first admin from ADMIN_EMAIL / ADMIN_PASSWORD once; an existing user of that email is left alone. */
export async function ensureBootstrapAdmin(ctx: ServiceContext, admin: { email: string; password: string }, log: Logger) {
  const email = normalizeEmail(admin.email);
  if (await ctx.prisma.user.findUnique({ where: { email } })) return;
  assertStrongPassword(admin.password, 'ADMIN_PASSWORD', email);
  const passwordHash = await hashPassword(admin.password);
  try {
    await ctx.prisma.user.create({ data: { email, name: 'Administrator', passwordHash, roles: ['admin'] } });
    log.info({ email }, 'created the first admin from ADMIN_EMAIL');
  } catch (error) {
    // Two processes starting at once: the other one created it, which is all we wanted.
    if (!isUniqueViolation(error)) throw error;
  }
}
