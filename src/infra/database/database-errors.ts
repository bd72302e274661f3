/**
 * Errors that say the database is unreachable, overloaded or timed out, rather than that the request
 * was wrong: the API answers them 503 with Retry-After, since the same request may well succeed later.
 */
const UNAVAILABLE_SQLSTATE = /^(08|53|57P0|57014|55P03|40001|40P01)/;
const UNAVAILABLE_PRISMA = new Set(['P1001', 'P1002', 'P1008', 'P1017', 'P2024', 'P2028', 'P2034']);
const UNAVAILABLE_SOCKET = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'ENOTFOUND', 'EAI_AGAIN']);
const UNAVAILABLE_MESSAGE =
  /(timeout exceeded when trying to connect|Connection terminated|Client has encountered a connection error|Cannot use a pool after calling end|Transaction already closed|Unable to start a transaction in the given time)/i;

export function isDatabaseUnavailable(error: unknown): boolean {
  const e = error as {
    code?: unknown;
    message?: unknown;
    meta?: { code?: unknown; driverAdapterError?: { cause?: { originalCode?: unknown; kind?: unknown } } };
    cause?: unknown;
  };
  if (!e || typeof e !== 'object') return false;
  const codes = [e.code, e.meta?.code, e.meta?.driverAdapterError?.cause?.originalCode].filter(
    (c): c is string => typeof c === 'string',
  );
  for (const code of codes) {
    if (UNAVAILABLE_PRISMA.has(code) || UNAVAILABLE_SOCKET.has(code)) return true;
    if (/^[0-9A-Z]{5}$/.test(code) && UNAVAILABLE_SQLSTATE.test(code)) return true;
  }
  const kind = e.meta?.driverAdapterError?.cause?.kind;
  if (typeof kind === 'string' && /(DatabaseNotReachable|ConnectionClosed|SocketTimeout|TooManyConnections)/.test(kind))
    return true;
  if (typeof e.message === 'string' && UNAVAILABLE_MESSAGE.test(e.message)) return true;
  return e.cause !== undefined && e.cause !== error && isDatabaseUnavailable(e.cause);
}
