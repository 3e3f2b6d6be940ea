"use client";

import Link from "next/link";
import { usePathname } from "next/navigation";
import { useState } from "react";
import { Button } from "@/components/ui/button";
import { cn } from "@/components/ui/cn";

const NAV = [
  { href: "/", label: "Dashboard" },
  { href: "/accounts", label: "Sources › Accounts" },
  { href: "/settings", label: "Settings" },
] as const;

function isCurrent(pathname: string, href: string): boolean {
  return href === "/" ? pathname === "/" : pathname === href || pathname.startsWith(`${href}/`);
}

/** `user` comes from the server render, so the header is right on first paint. */
export function SiteHeader({ user }: { user: { email: string } | null }) {
  const pathname = usePathname();
  const [signingOut, setSigningOut] = useState(false);
  const email = user?.email;
  const signedIn = user !== null;

  return (
    <header className="border-b border-slate-200 bg-white">
      <div className="mx-auto flex max-w-6xl flex-wrap items-center gap-x-8 gap-y-2 px-4 py-3 sm:px-6">
        <Link
          href="/"
          className="flex items-center gap-2 rounded-md font-semibold text-slate-900 focus-visible:outline-2 focus-visible:outline-offset-2 focus-visible:outline-indigo-600"
        >
          {/* A 24-px SVG: nothing for next/image to optimise, and its inline style would need a CSP exception. */}
          {/* eslint-disable-next-line @next/next/no-img-element */}
          <img src="/favicon.svg" alt="" width={24} height={24} />
          Wearables Dashboard
        </Link>

        {signedIn && (
          <nav aria-label="Main" className="flex items-center gap-1">
            {NAV.map((item) => {
              const current = isCurrent(pathname, item.href);
              return (
                <Link
                  key={item.href}
                  href={item.href}
                  aria-current={current ? "page" : undefined}
                  className={cn(
                    "rounded-md px-3 py-1.5 text-sm font-medium focus-visible:outline-2 focus-visible:outline-offset-2 focus-visible:outline-indigo-600",
                    current ? "bg-slate-100 text-slate-900" : "text-slate-600 hover:bg-slate-50 hover:text-slate-900",
                  )}
                >
                  {item.label}
                </Link>
              );
            })}
          </nav>
        )}

        {signedIn && (
          <div className="ml-auto flex items-center gap-3">
            {email && (
              <span className="hidden text-sm text-slate-600 sm:inline" title="Signed in as">
                {email}
              </span>
            )}
            <Button
              variant="secondary"
              size="sm"
              pending={signingOut}
              onClick={() => {
                setSigningOut(true);
                // next-auth's client is loaded on the click, not in every page's first load.
                void import("next-auth/react").then(({ signOut }) => signOut({ callbackUrl: "/sign-in" }));
              }}
            >
              Sign out
            </Button>
          </div>
        )}
      </div>
    </header>
  );
}
