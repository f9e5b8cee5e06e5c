// The dashboard's one mapping from an error's kind to an HTTP status, and the JSON answer route
// handlers give for a failure. A session that is missing is answered 401 by session.ts; "auth"
// here means a server behind the dashboard (a database, a bucket) refused the credentials the
// volume holds, hence 403 and not 401 (which would read as "sign in again").
import { z } from "zod";
import { errorKind, errorMessage, type ErrorKind } from "../jfs/errors";
import { formatIssues } from "../jfs/format";

export const HTTP_STATUSES: Record<ErrorKind, number> = {
  usage: 400,
  "not-found": 404,
  refused: 409,
  "corrupt-input": 422,
  unreachable: 502,
  auth: 403,
  busy: 409,
  interrupted: 503,
  unsupported: 501,
  internal: 500,
};

/** The HTTP status for any thrown value; a zod failure at a boundary is a bad request. */
export function httpStatusOf(err: unknown): number {
  if (err instanceof z.ZodError) return 400;
  return HTTP_STATUSES[errorKind(err)];
}

/** The one line a person reads; an internal error (a bug) also leaves its stack in the server log. */
function userMessage(err: unknown): string {
  if (err instanceof z.ZodError) return formatIssues(err);
  if (errorKind(err) === "internal") console.error(err);
  return errorMessage(err);
}

/** The JSON answer of a route handler that failed: `{ error: message, kind }` with its status. */
export function errorResponse(err: unknown): Response {
  const kind: ErrorKind = err instanceof z.ZodError ? "usage" : errorKind(err);
  return Response.json({ error: userMessage(err), kind }, { status: httpStatusOf(err) });
}

/** What a server action returns for a failure: the message, never a thrown error (Next hides those). */
export function actionError(err: unknown): { error: string } {
  return { error: userMessage(err) };
}
