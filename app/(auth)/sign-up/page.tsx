import type { Metadata } from "next";
import { redirect } from "next/navigation";
import { AuthCard, firstParam } from "@/components/auth/auth-card";
import { authFormErrorMessage } from "@/components/auth/form-error-message";
import { safeCallbackUrl } from "@/components/auth/safe-callback-url";
import { SignUpForm } from "@/components/auth/sign-up-form";
import { currentUser } from "@/lib/auth/session";
import { config } from "@/lib/config";

export const metadata: Metadata = { title: "Create account" };

export default async function SignUpPage({
  searchParams,
}: {
  searchParams: Promise<Record<string, string | string[] | undefined>>;
}) {
  const params = await searchParams;
  const callbackUrl = safeCallbackUrl(firstParam(params.callbackUrl), config().appUrl);
  // Already signed in: nothing to do here.
  if (await currentUser()) redirect(callbackUrl);
  return (
    <AuthCard title="Create your account" subtitle="One place for the trends from all your wearables.">
      <SignUpForm callbackUrl={callbackUrl} initialError={authFormErrorMessage("sign-up", params)} />
    </AuthCard>
  );
}
