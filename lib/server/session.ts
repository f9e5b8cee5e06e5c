// The one session check every page, server action and route handler goes through.
import { cookies } from "next/headers";
import { redirect } from "next/navigation";
import { SESSION_COOKIE, sessionValid } from "./auth";

export async function hasSession(): Promise<boolean> {
  const jar = await cookies();
  return sessionValid(jar.get(SESSION_COOKIE)?.value);
}

/** Pages and server actions: send the visitor to the login page when not signed in. */
export async function requireSession(): Promise<{ actor: string }> {
  if (!(await hasSession())) redirect("/login");
  return { actor: "admin" };
}

/** Route handlers: a 401 response when not signed in, otherwise null. */
export async function routeAuthError(): Promise<Response | null> {
  if (await hasSession()) return null;
  return Response.json({ error: "not signed in: open /login first" }, { status: 401 });
}
