"use server";
import { cookies } from "next/headers";
import { redirect } from "next/navigation";
import { z } from "zod";
import { attemptLogin, issueSession, revokeSession, SESSION_COOKIE, SESSION_TTL_MS } from "../../lib/server/auth";
import { audit } from "../../lib/server/db";
import { logIgnored } from "../../lib/jfs/errors";

const LoginSchema = z.object({ password: z.string().min(1).max(512) });

export type LoginState = { error?: string; retryAfterSeconds?: number };

export async function login(_prev: LoginState | undefined, form: FormData): Promise<LoginState> {
  const parsed = LoginSchema.safeParse({ password: form.get("password") });
  const attempt = attemptLogin(parsed.success ? parsed.data.password : "");
  if (!attempt.ok) {
    const retryAfterSeconds = Math.ceil(attempt.retryAfterMs / 1000);
    const paused = retryAfterSeconds
      ? ` Too many wrong passwords: sign-in is paused for ${retryAfterSeconds} s; each further wrong password doubles the pause (up to 5 minutes).`
      : "";
    if (attempt.reason === "backoff") {
      await audit("anonymous", "login-throttled", "dashboard").catch((err) => logIgnored("the audit record of a refused login", err));
      return {
        error: `This password was not checked: sign-in is paused for ${retryAfterSeconds} s after too many wrong passwords. Each further wrong password doubles the pause (up to 5 minutes).`,
        retryAfterSeconds,
      };
    }
    await audit("anonymous", "login-failed", "dashboard").catch((err) => logIgnored("the audit record of a failed login", err));
    return {
      error: `Wrong password. It is JFSMETA_PASSWORD, or the one printed when jfsmeta first started.${paused}`,
      retryAfterSeconds: retryAfterSeconds || undefined,
    };
  }
  const jar = await cookies();
  jar.set(SESSION_COOKIE, await issueSession(), {
    httpOnly: true,
    sameSite: "lax",
    secure: process.env.JFSMETA_SECURE_COOKIE === "1",
    path: "/",
    maxAge: Math.floor(SESSION_TTL_MS / 1000),
  });
  await audit("admin", "login", "dashboard").catch((err) => logIgnored("the audit record of a login", err));
  redirect("/");
}

/** Sign out: the session ends on the server, so a copied cookie stops working too. */
export async function logout(): Promise<void> {
  const jar = await cookies();
  await revokeSession(jar.get(SESSION_COOKIE)?.value);
  jar.delete(SESSION_COOKIE);
  await audit("admin", "logout", "dashboard").catch((err) => logIgnored("the audit record of a logout", err));
  redirect("/login");
}
