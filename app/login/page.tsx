import { redirect } from "next/navigation";
import { ensureReady } from "../../lib/server/bootstrap";
import { hasSession } from "../../lib/server/session";
import { LoginForm } from "./LoginForm";

export const dynamic = "force-dynamic";
export const metadata = { title: "Sign in" };

export default async function LoginPage() {
  await ensureReady();
  if (await hasSession()) redirect("/");
  return (
    <main className="flex min-h-screen items-center justify-center p-6">
      <div className="card w-full max-w-sm p-6">
        <h1 className="mb-1 text-lg font-semibold">jfsmeta</h1>
        <p className="mb-4 text-sm text-slate-500">JuiceFS metadata backups, restore and inspection.</p>
        <LoginForm />
        <p className="mt-4 text-xs text-slate-500">
          The password is <code>JFSMETA_PASSWORD</code>, or the one printed on the console when the server first started
          (only its hash is kept in the data directory).
        </p>
      </div>
    </main>
  );
}
