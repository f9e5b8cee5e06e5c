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
      <a href="#main" className="sr-only focus:not-sr-only focus:absolute focus:left-2 focus:top-2 focus:z-50 focus:rounded focus:bg-white focus:px-3 focus:py-2 focus:shadow" data-testid="skip-link">
        Skip to content
      </a>
      <Nav logout={logout} />
      <main id="main" tabIndex={-1} className="mx-auto max-w-[1600px] px-4 py-4">
        {children}
      </main>
    </Providers>
  );
}
