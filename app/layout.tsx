import type { Metadata, Viewport } from "next";
import type { ReactNode } from "react";
import { LazyToaster } from "@/components/layout/lazy-toaster";
import { SiteHeader } from "@/components/layout/site-header";
import { currentUser } from "@/lib/auth/session";
import { Providers } from "./providers";
import "./globals.css";

export const metadata: Metadata = {
  title: { default: "Wearables Dashboard", template: "%s · Wearables Dashboard" },
  description: "Your sleep and readiness trends from all your wearables in one place.",
  icons: { icon: "/favicon.svg" },
};

export const viewport: Viewport = { themeColor: "#4f46e5" };

export default async function RootLayout({ children }: { children: ReactNode }) {
  const user = await currentUser();
  return (
    <html lang="en">
      <body className="min-h-screen font-sans">
        <Providers>
          <SiteHeader user={user ? { email: user.email } : null} />
          <main className="mx-auto max-w-6xl px-4 py-8 sm:px-6">{children}</main>
        </Providers>
        <LazyToaster position="bottom-right" richColors closeButton />
      </body>
    </html>
  );
}
