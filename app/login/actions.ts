"use server";
import { cookies } from "next/headers";
import { redirect } from "next/navigation";
import { z } from "zod";
import { issueSession, SESSION_COOKIE, SESSION_TTL_MS, verifyPassword } from "../../lib/server/auth";
import { audit } from "../../lib/server/db";
import { logIgnored } from "../../lib/jfs/errors";

const LoginSchema = z.object({ password: z.string().min(1).max(512) });

export async function login(_prev: { error?: string } | undefined, form: FormData): Promise<{ error?: string }> {
  const parsed = LoginSchema.safeParse({ password: form.get("password") });
  if (!parsed.success || !verifyPassword(parsed.data.password)) {
    // Slow down guessing a little; the message does not say which part was wrong.
    await new Promise((r) => setTimeout(r, 400));
    await audit("anonymous", "login-failed", "dashboard").catch((err) => logIgnored("the audit record of a failed login", err));
    return { error: "Wrong password. It is JFSMETA_PASSWORD, or the one printed when jfsmeta first started." };
  }
  const jar = await cookies();
  jar.set(SESSION_COOKIE, issueSession(), {
    httpOnly: true,
    sameSite: "lax",
    secure: process.env.JFSMETA_SECURE_COOKIE === "1",
    path: "/",
    maxAge: Math.floor(SESSION_TTL_MS / 1000),
  });
  await audit("admin", "login", "dashboard").catch((err) => logIgnored("the audit record of a login", err));
  redirect("/");
}

export async function logout(): Promise<void> {
  const jar = await cookies();
  jar.delete(SESSION_COOKIE);
  redirect("/login");
}
