"use client";

import { MutationCache, QueryCache, QueryClient, QueryClientProvider } from "@tanstack/react-query";
import { type ReactNode, useState } from "react";
import { ApiError } from "@/components/api-fetch";

/** A 401 from our API means the session ended: go to sign-in and come back here afterwards. */
function redirectToSignInOn401(error: unknown) {
  if (!(error instanceof ApiError) || error.status !== 401 || typeof window === "undefined") return;
  const here = `${window.location.pathname}${window.location.search}`;
  if (window.location.pathname.startsWith("/sign-")) return;
  // Outside React (a query-cache callback), so no router; a full load also drops the signed-out cache.
  // eslint-disable-next-line @next/next/no-location-assign-relative-destination
  window.location.assign(`/sign-in?${new URLSearchParams({ callbackUrl: here })}`);
}

function makeQueryClient() {
  return new QueryClient({
    queryCache: new QueryCache({ onError: redirectToSignInOn401 }),
    mutationCache: new MutationCache({ onError: redirectToSignInOn401 }),
    defaultOptions: {
      queries: {
        // Client errors (4xx) will not fix themselves by retrying.
        retry: (failureCount, error) =>
          !(error instanceof ApiError && error.status >= 400 && error.status < 500) && failureCount < 2,
      },
    },
  });
}

export function Providers({ children }: { children: ReactNode }) {
  const [queryClient] = useState(makeQueryClient);
  // No next-auth SessionProvider: nothing reads the session on the client (the server passes the user down),
  // and it would put next-auth's client in every page's first load and poll /api/auth/session.
  return <QueryClientProvider client={queryClient}>{children}</QueryClientProvider>;
}
