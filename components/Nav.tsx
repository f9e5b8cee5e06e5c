"use client";
import Link from "next/link";
import { usePathname } from "next/navigation";

const LINKS = [
  { href: "/", label: "Volumes" },
  { href: "/restore", label: "Restore" },
  { href: "/jobs", label: "Jobs" },
  { href: "/alerts", label: "Alerts" },
  { href: "/audit", label: "Audit log" },
];

export function Nav({ logout }: { logout: () => Promise<void> }) {
  const path = usePathname();
  const active = (href: string) => (href === "/" ? path === "/" || path.startsWith("/volumes") : path.startsWith(href));
  return (
    <header className="border-b border-slate-200 bg-slate-900 text-slate-100">
      <div className="mx-auto flex max-w-[1600px] items-center gap-6 px-4 py-2">
        <Link href="/" className="font-semibold tracking-tight">
          jfsmeta <span className="font-normal text-slate-400">· JuiceFS metadata</span>
        </Link>
        <nav className="flex gap-1 text-sm">
          {LINKS.map((l) => (
            <Link
              key={l.href}
              href={l.href}
              className={`rounded px-2 py-1 ${active(l.href) ? "bg-slate-700 text-white" : "text-slate-300 hover:bg-slate-800"}`}
            >
              {l.label}
            </Link>
          ))}
        </nav>
        <form action={logout} className="ml-auto">
          <button className="text-sm text-slate-300 hover:text-white" type="submit">
            Sign out
          </button>
        </form>
      </div>
    </header>
  );
}
