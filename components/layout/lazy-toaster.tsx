"use client";

import dynamic from "next/dynamic";

/**
 * sonner's toaster, loaded after the page is interactive instead of in every page's first load.
 * Toasts come from user actions, which happen after it has mounted.
 */
export const LazyToaster = dynamic(() => import("sonner").then((m) => m.Toaster), { ssr: false });
