import { Nav } from "../../components/Nav";
import { Providers } from "../../components/Providers";
import { ensureReady } from "../../lib/server/bootstrap";
import { requireSession } from "../../lib/server/session";
import { logout } from "../login/actions";

export const dynamic = "force-dynamic";

export default async function AppLayout({ children }: { children: React.ReactNode }) {
  await ensureReady();
  await requireSession();
  return (
    <Providers>
      <Nav logout={logout} />
      <main className="mx-auto max-w-[1600px] px-4 py-4">{children}</main>
    </Providers>
  );
}
