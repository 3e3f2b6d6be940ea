import type { Metadata } from "next";
import { redirect } from "next/navigation";
import { AuthCard, firstParam } from "@/components/auth/auth-card";
import { authFormErrorMessage } from "@/components/auth/form-error-message";
import { safeCallbackUrl } from "@/components/auth/safe-callback-url";
import { SignInForm } from "@/components/auth/sign-in-form";
import { currentUser } from "@/lib/auth/session";
import { config } from "@/lib/config";

export const metadata: Metadata = { title: "Sign in" };

export default async function SignInPage({
  searchParams,
}: {
  searchParams: Promise<Record<string, string | string[] | undefined>>;
}) {
  const params = await searchParams;
  const callbackUrl = safeCallbackUrl(firstParam(params.callbackUrl), config().appUrl);
  // Already signed in: nothing to do here.
  if (await currentUser()) redirect(callbackUrl);
  return (
    <AuthCard title="Sign in" subtitle="Welcome back. Sign in to see your sleep and readiness trends.">
      <SignInForm callbackUrl={callbackUrl} initialError={authFormErrorMessage("sign-in", params)} />
    </AuthCard>
  );
}
