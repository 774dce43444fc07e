import pg from 'pg';

/**
 * Everything about a database's public schema that a migration decides: tables, columns (type, length,
 * precision, nullability, default), indexes, constraints and enum types, in a stable order. Two databases
 * with equal snapshots have the same schema.
 */
export async function schemaSnapshot(databaseUrl: string): Promise<Record<string, unknown[]>> {
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    const query = async (sql: string) => (await client.query(sql)).rows;
    return {
      tables: await query(`
        SELECT table_name FROM information_schema.tables
        WHERE table_schema = 'public' AND table_name <> '_prisma_migrations' ORDER BY 1`),
      columns: await query(`
        SELECT table_name, column_name, data_type, udt_name, character_maximum_length, numeric_precision,
               numeric_scale, datetime_precision, is_nullable, column_default
        FROM information_schema.columns
        WHERE table_schema = 'public' AND table_name <> '_prisma_migrations' ORDER BY 1, 2`),
      indexes: await query(`
        SELECT tablename, indexname, indexdef FROM pg_indexes
        WHERE schemaname = 'public' AND tablename <> '_prisma_migrations' ORDER BY 1, 2`),
      constraints: await query(`
        SELECT rel.relname AS table_name, con.conname, con.contype, pg_get_constraintdef(con.oid) AS definition
        FROM pg_constraint con JOIN pg_class rel ON rel.oid = con.conrelid
        JOIN pg_namespace ns ON ns.oid = rel.relnamespace
        WHERE ns.nspname = 'public' AND rel.relname <> '_prisma_migrations' ORDER BY 1, 2`),
      enums: await query(`
        SELECT t.typname, e.enumlabel, e.enumsortorder FROM pg_type t
        JOIN pg_enum e ON e.enumtypid = t.oid JOIN pg_namespace ns ON ns.oid = t.typnamespace
        WHERE ns.nspname = 'public' ORDER BY 1, 3`),
    };
  } finally {
    await client.end();
  }
}
