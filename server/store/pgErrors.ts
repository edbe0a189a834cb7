/**
 * Which PostgreSQL (node-postgres) failures mean "the database cannot be reached or cannot
 * take writes right now": the connection classes of SQLSTATE, an administrator shutdown or
 * restart, exhausted resources, and the socket errors and messages `pg` raises without a
 * SQLSTATE when the server goes away. The StorageHealth answers them with storage_unavailable.
 */

/** SQLSTATE classes/codes: 08 connection exception, 53 insufficient resources, 57P01-57P03 shutdown / cannot connect now, 58 system error. */
const UNAVAILABLE_SQLSTATE = /^(08...|53...|57P0[123]|58...)$/;
const UNAVAILABLE_SOCKET = /^(ECONNREFUSED|ECONNRESET|ETIMEDOUT|EPIPE|EHOSTUNREACH|ENETUNREACH|ENOTFOUND|EAI_AGAIN)$/;
const UNAVAILABLE_MESSAGE = /Connection terminated|timeout exceeded when trying to connect|Client has encountered a connection error|Cannot use a pool after calling end|Client was closed/;

export function isPgUnavailable(err: unknown): boolean {
  const code = (err as { code?: unknown })?.code;
  if (typeof code === 'string' && (UNAVAILABLE_SQLSTATE.test(code) || UNAVAILABLE_SOCKET.test(code))) return true;
  const message = (err as { message?: unknown })?.message;
  return typeof message === 'string' && UNAVAILABLE_MESSAGE.test(message);
}

/** SQLSTATE class 23: integrity constraint violation — a fault of the batch, not of the database. */
export function isPgConstraintViolation(err: unknown): boolean {
  const code = (err as { code?: unknown })?.code;
  return typeof code === 'string' && /^23[0-9A-Z]{3}$/.test(code);
}
