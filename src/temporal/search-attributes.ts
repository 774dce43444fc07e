import type { Connection } from '@temporalio/client';
import proto from '@temporalio/proto';

// A CommonJS module: its namespaces are reachable only through the default export under ESM.
const { temporal } = proto;
import { allSearchAttributeKeys } from '../../workflows/search-attributes.js';

const GRPC_UNIMPLEMENTED = 12;

/** The custom attributes the namespace has; undefined where the server cannot list them (the test server). */
async function listCustom(connection: Connection, namespace: string): Promise<Record<string, unknown> | undefined> {
  try {
    return (await connection.operatorService.listSearchAttributes({ namespace })).customAttributes ?? {};
  } catch (error) {
    if ((error as { code?: number }).code === GRPC_UNIMPLEMENTED) return undefined;
    throw error;
  }
}

/**
 * Registers the project's custom search attributes on the namespace, adding only the missing ones:
 * servers refuse to re-add an existing attribute, and a restart must not fail on that.
 */
export async function ensureSearchAttributes(connection: Connection, namespace: string): Promise<string[]> {
  const known = new Set(Object.keys((await listCustom(connection, namespace)) ?? {}));
  const missing = allSearchAttributeKeys.filter((key) => !known.has(key.name));
  if (missing.length === 0) return [];
  await connection.operatorService.addSearchAttributes({
    namespace,
    searchAttributes: Object.fromEntries(
      missing.map((key) => [key.name, temporal.api.enums.v1.IndexedValueType[`INDEXED_VALUE_TYPE_${key.type}`]]),
    ),
  });
  return missing.map((key) => key.name);
}
