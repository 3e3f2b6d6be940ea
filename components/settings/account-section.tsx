"use client";

import { useRouter } from "next/navigation";
import { type FormEvent, useState } from "react";
import { toast } from "sonner";
import { apiFetch } from "@/components/api-fetch";
import { Button } from "@/components/ui/button";
import { Card } from "@/components/ui/card";
import { ConfirmDialog } from "@/components/ui/confirm-dialog";
import { FormError } from "@/components/ui/form-error";
import { TextField } from "@/components/ui/text-field";
import { MAX_PASSWORD_LENGTH, MIN_PASSWORD_LENGTH } from "@/lib/auth/password-rules";

const message = (error: unknown) =>
  error instanceof Error ? error.message : "Something went wrong. Please try again.";

/** Change password: the current one is required; every other session is signed out. */
function PasswordCard() {
  const [error, setError] = useState<string | null>(null);
  const [pending, setPending] = useState(false);
  const [done, setDone] = useState(false);
  const submit = async (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const form = event.currentTarget;
    const data = new FormData(form);
    setPending(true);
    setError(null);
    setDone(false);
    try {
      await apiFetch("/api/v1/account/password", {
        method: "POST",
        body: JSON.stringify({ currentPassword: data.get("currentPassword"), newPassword: data.get("newPassword") }),
      });
      form.reset();
      setDone(true);
      toast.success("Password changed");
    } catch (e) {
      setError(message(e));
    } finally {
      setPending(false);
    }
  };
  return (
    <Card>
      <section aria-labelledby="password-heading" className="flex flex-col gap-3 p-5">
        <h2 id="password-heading" className="text-base font-semibold text-slate-900">
          Password
        </h2>
        <form onSubmit={(e) => void submit(e)} className="flex max-w-sm flex-col gap-3">
          <TextField
            label="Current password"
            name="currentPassword"
            type="password"
            autoComplete="current-password"
            required
          />
          <TextField
            label="New password"
            name="newPassword"
            type="password"
            autoComplete="new-password"
            minLength={MIN_PASSWORD_LENGTH}
            maxLength={MAX_PASSWORD_LENGTH}
            hint={`At least ${MIN_PASSWORD_LENGTH} characters and hard to guess. Your other sessions will be signed out.`}
            required
          />
          <FormError message={error} />
          <p role="status" className={done ? "text-sm text-emerald-700" : "sr-only"}>
            {done ? "Password changed. Every other session has been signed out." : ""}
          </p>
          <div>
            <Button type="submit" pending={pending}>
              Change password
            </Button>
          </div>
        </form>
      </section>
    </Card>
  );
}

/** Sign out everywhere: every session ends, this one too. */
function SessionsCard() {
  const router = useRouter();
  const [open, setOpen] = useState(false);
  const [pending, setPending] = useState(false);
  const confirm = async () => {
    setPending(true);
    try {
      await apiFetch("/api/v1/account/sign-out-everywhere", { method: "POST" });
      router.replace("/sign-in");
      router.refresh();
    } catch (e) {
      setPending(false);
      toast.error("Could not sign out everywhere", { description: message(e) });
    }
  };
  return (
    <Card>
      <section aria-labelledby="sessions-heading" className="flex flex-col gap-3 p-5">
        <h2 id="sessions-heading" className="text-base font-semibold text-slate-900">
          Sessions
        </h2>
        <p className="text-sm text-slate-600">Signed in on a device you no longer use? End every session at once.</p>
        <div>
          <Button variant="secondary" onClick={() => setOpen(true)}>
            Sign out everywhere
          </Button>
        </div>
        <ConfirmDialog
          open={open}
          onOpenChange={setOpen}
          title="Sign out everywhere?"
          description="Every browser and device signed in to this account is signed out, this one included."
          confirmLabel="Sign out everywhere"
          onConfirm={() => void confirm()}
          pending={pending}
        />
      </section>
    </Card>
  );
}

/** The Account part of Settings: password and sessions. */
export function AccountSection() {
  return (
    <div className="flex flex-col gap-4">
      <h2 className="text-lg font-semibold text-slate-900">Account</h2>
      <PasswordCard />
      <SessionsCard />
    </div>
  );
}
