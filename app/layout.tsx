import type { Metadata } from "next";
import "./globals.css";

export const metadata: Metadata = {
  title: "jfsmeta – JuiceFS metadata backups",
  description: "Backups, retention, restore and inspection of JuiceFS metadata",
};

export default function RootLayout({ children }: { children: React.ReactNode }) {
  return (
    <html lang="en">
      <body className="min-h-screen">{children}</body>
    </html>
  );
}
