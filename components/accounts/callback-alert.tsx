"use client";

import { useQuery } from "@tanstack/react-query";
import { usePathname, useRouter, useSearchParams } from "next/navigation";
import { useEffect, useState, useSyncExternalStore } from "react";
import { connectionsQuery } from "@/components/queries";
import { Alert } from "@/components/ui/alert";
import {
  type CallbackNotice,
  describeCallbackNotice,
  readCallbackNotice,
  withoutCallbackParams,
} from "./callback-notice";
import { ConnectButton } from "./connect-button";

const subscribeToNothing = () => () => {};

/**
 * The outcome of an OAuth callback (`?connected=` / `?error=&provider=`), shown as a panel at
 * the top of Accounts. The parameters are then removed from the URL so a reload does not repeat
 * the message; the panel stays until dismissed.
 */
export function CallbackAlert() {
  const params = useSearchParams();
  const router = useRouter();
  const pathname = usePathname();
  // Read once: the callback's redirect opens this page afresh, and the effect then cleans the URL.
  const [notice, setNotice] = useState<CallbackNotice | null>(() => readCallbackNotice(params));
  const { data, isPending } = useQuery(connectionsQuery());
  // This boundary (inside <Suspense>, for useSearchParams) may hydrate after the page's connections
  // query has already answered; rendering the panel in that first pass would not match the server's
  // HTML (which never has it). So the panel appears only once hydration is over.
  const hydrated = useSyncExternalStore(
    subscribeToNothing,
    () => true,
    () => false,
  );

  useEffect(() => {
    if (!readCallbackNotice(params)) return;
    router.replace(`${pathname}${withoutCallbackParams(params)}`, { scroll: false });
  }, [params, pathname, router]);

  // Wait for the provider list so the message can name the provider (and never echo an unknown id).
  if (!hydrated || !notice || isPending) return null;
  const card = notice.provider ? data?.connections.find((c) => c.provider === notice.provider) : undefined;
  const message = describeCallbackNotice(notice, card?.name ?? null);
  if (!message) return null;

  return (
    <Alert
      tone={message.tone}
      title={message.title}
      onDismiss={() => setNotice(null)}
      actions={
        message.retry && card ? <ConnectButton provider={card} label="Try again" variant="secondary" /> : undefined
      }
    >
      {message.text}
    </Alert>
  );
}
