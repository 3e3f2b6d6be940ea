"use client";

import * as Dialog from "@radix-ui/react-dialog";
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

/** Delete my account, confirmed by typing the account's email. */
function DeleteAccountCard({ email }: { email: string }) {
  const router = useRouter();
  const [open, setOpen] = useState(false);
  const [typed, setTyped] = useState("");
  const [pending, setPending] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const matches = typed.trim().toLowerCase() === email.toLowerCase();
  const submit = async (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    setPending(true);
    setError(null);
    try {
      await apiFetch("/api/v1/account/delete", { method: "POST", body: JSON.stringify({ email: typed }) });
      toast.success("Your account and all its data were deleted");
      router.replace("/sign-in");
      router.refresh();
    } catch (e) {
      setPending(false);
      setError(message(e));
    }
  };
  return (
    <Card>
      <section aria-labelledby="delete-account-heading" className="flex flex-col gap-3 p-5">
        <h2 id="delete-account-heading" className="text-base font-semibold text-slate-900">
          Delete my account
        </h2>
        <p className="text-sm text-slate-600">
          Revokes this app&apos;s access at every connected provider and deletes your account and all its data: metrics,
          connections, sync history and settings. This cannot be undone.
        </p>
        <Dialog.Root
          open={open}
          onOpenChange={(next) => {
            setOpen(next);
            if (!next) {
              setTyped("");
              setError(null);
            }
          }}
        >
          <div>
            <Dialog.Trigger asChild>
              <Button variant="danger">Delete my account</Button>
            </Dialog.Trigger>
          </div>
          <Dialog.Portal>
            <Dialog.Overlay className="fixed inset-0 z-40 bg-slate-900/40" />
            <Dialog.Content className="fixed top-1/2 left-1/2 z-50 w-[calc(100%-2rem)] max-w-md -translate-x-1/2 -translate-y-1/2 rounded-xl bg-white p-6 shadow-xl focus:outline-none">
              <Dialog.Title className="text-lg font-semibold text-slate-900">Delete your account?</Dialog.Title>
              <Dialog.Description className="mt-2 text-sm text-slate-600">
                Every connection is revoked at its provider and all your data is deleted for good. Type{" "}
                <strong className="font-medium text-slate-900">{email}</strong> to confirm.
              </Dialog.Description>
              <form onSubmit={(e) => void submit(e)} className="mt-4 flex flex-col gap-3">
                <TextField
                  label="Your email"
                  name="email"
                  type="email"
                  autoComplete="off"
                  value={typed}
                  onChange={(e) => setTyped(e.target.value)}
                  required
                />
                <FormError message={error} />
                <div className="mt-2 flex justify-end gap-2">
                  <Dialog.Close asChild>
                    <Button variant="secondary">Cancel</Button>
                  </Dialog.Close>
                  <Button type="submit" variant="danger" disabled={!matches} pending={pending}>
                    Delete everything
                  </Button>
                </div>
              </form>
            </Dialog.Content>
          </Dialog.Portal>
        </Dialog.Root>
      </section>
    </Card>
  );
}

/** The Account part of Settings: password, sessions, deleting the account. */
export function AccountSection({ email }: { email: string }) {
  return (
    <div className="flex flex-col gap-4">
      <h2 className="text-lg font-semibold text-slate-900">Account</h2>
      <PasswordCard />
      <SessionsCard />
      <DeleteAccountCard email={email} />
    </div>
  );
}
