import type { ReactNode } from "react";

export default function AuthLayout({ children }: { children: ReactNode }) {
  return <div className="mx-auto flex w-full max-w-sm flex-col pt-6 sm:pt-12">{children}</div>;
}
