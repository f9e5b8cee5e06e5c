"use client";
import { useActionState } from "react";
import { login } from "./actions";

export function LoginForm() {
  const [state, action, pending] = useActionState(login, undefined);
  return (
    <form action={action} className="space-y-3">
      <div>
        <label className="label" htmlFor="password">
          Password
        </label>
        <input id="password" name="password" type="password" autoFocus autoComplete="current-password" className="input" />
      </div>
      {state?.error && (
        <p role="alert" className="rounded-md border border-rose-200 bg-rose-50 px-2 py-1.5 text-sm text-rose-800">
          {state.error}
        </p>
      )}
      <button type="submit" className="btn-primary w-full justify-center" disabled={pending}>
        {pending ? "Signing in…" : "Sign in"}
      </button>
    </form>
  );
}
