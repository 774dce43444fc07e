export const ROLES = ['customer', 'support', 'sales', 'finance', 'operator', 'admin'] as const;
export type Role = (typeof ROLES)[number];
export const STAFF_ROLES = ROLES.filter((role): role is Exclude<Role, 'customer'> => role !== 'customer');
export type StaffRole = (typeof STAFF_ROLES)[number];
