/**
 * The PostgreSQL SQLSTATE of a failed query, wherever the client put it: Prisma's error meta
 * (code, or the driver adapter's original code) or a pg error's own `code`. Undefined when
 * the error carries none (a Prisma P-code is not a SQLSTATE).
 */
export function sqlStateOf(error: unknown): string | undefined {
  const e = error as
    | { code?: unknown; meta?: { code?: unknown; driverAdapterError?: { cause?: { originalCode?: unknown } } } }
    | undefined;
  return [e?.meta?.code, e?.meta?.driverAdapterError?.cause?.originalCode, e?.code].find(
    (c): c is string => typeof c === 'string' && /^[0-9A-Z]{5}$/.test(c),
  );
}
