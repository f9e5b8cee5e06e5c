import type { Metadata } from "next";
import { connection } from "next/server";
import "./globals.css";

export const metadata: Metadata = {
  // Each page names itself first ("Jobs · jfsmeta"), so tabs and history tell pages apart.
  title: { default: "jfsmeta – JuiceFS metadata backups", template: "%s · jfsmeta" },
  description: "Backups, retention, restore and inspection of JuiceFS metadata",
};

export default async function RootLayout({ children }: { children: React.ReactNode }) {
  // Every page is rendered per request (none prerendered, the 404 page included), so Next.js
  // can put the request's CSP nonce (proxy.ts) on its scripts.
  await connection();
  return (
    <html lang="en">
      <body className="min-h-screen">{children}</body>
    </html>
  );
}
