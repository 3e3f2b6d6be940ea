import type { Metadata } from "next";
import { notFound, redirect } from "next/navigation";
import { servedSandbox } from "@/lib/sandbox";
import { validateAuthorizeParams } from "@/lib/sandbox/authorize";
import { sandboxBranding } from "@/lib/sandbox/branding";

// GET /sandbox/<provider>/oauth/authorize: the provider's consent screen, as its sandbox serves it.

export const dynamic = "force-dynamic";
export const metadata: Metadata = { title: "Authorise access", robots: { index: false } };

const APP_NAME = "Wearables Dashboard";
/** The authorise parameters carried from the query into the decision form. */
const FORWARDED = [
  "client_id",
  "redirect_uri",
  "response_type",
  "state",
  "scope",
  "code_challenge",
  "code_challenge_method",
];

interface PageProps {
  params: Promise<{ provider: string }>;
  searchParams: Promise<Record<string, string | string[] | undefined>>;
}

function toSearchParams(raw: Record<string, string | string[] | undefined>): URLSearchParams {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(raw)) {
    const first = Array.isArray(value) ? value[0] : value;
    if (first !== undefined) params.set(key, first);
  }
  return params;
}

export default async function SandboxAuthorizePage({ params, searchParams }: PageProps) {
  const { provider } = await params;
  const sandbox = servedSandbox(provider);
  if (!sandbox) notFound();
  const brand = sandboxBranding(provider);
  const query = toSearchParams(await searchParams);
  const validation = validateAuthorizeParams(sandbox, query);
  if (!validation.ok && validation.redirect) {
    // RFC 6749 §4.1.2.1: errors other than a bad client or redirect URI go straight back to the app.
    const back = new URL(validation.redirectUri);
    back.searchParams.set("error", validation.error);
    back.searchParams.set("error_description", validation.description);
    if (validation.state !== undefined) back.searchParams.set("state", validation.state);
    redirect(back.toString());
  }

  return (
    <div className={`fixed inset-0 z-50 overflow-y-auto ${brand.page}`}>
      <div className="mx-auto flex min-h-full max-w-lg flex-col justify-center px-6 py-12">
        <div className="mb-8 flex items-center justify-between">
          <span className="text-3xl font-semibold tracking-[0.2em] uppercase">{brand.name}</span>
          <span className="rounded-full border border-amber-400/60 bg-amber-400/15 px-3 py-1 text-xs font-bold tracking-widest text-amber-300">
            SANDBOX
          </span>
        </div>

        {!validation.ok ? (
          <div className={`rounded-2xl p-6 ${brand.card}`} role="alert">
            <h1 className="text-xl font-semibold">Authorisation error</h1>
            <p className={`mt-3 ${brand.muted}`}>{validation.description}</p>
            <p className={`mt-4 font-mono text-xs ${brand.muted}`}>error: {validation.error}</p>
          </div>
        ) : (
          <form
            method="post"
            action={`/sandbox/${encodeURIComponent(provider)}/oauth/decision`}
            className={`rounded-2xl p-6 ${brand.card}`}
          >
            <h1 className="text-xl font-semibold">
              Authorise {APP_NAME} to access your {brand.name} data
            </h1>

            <label className="mt-6 block text-sm">
              <span className={brand.muted}>Signed in as</span>
              <select
                name="account"
                defaultValue={validation.request.account.id}
                className={`mt-1 block w-full rounded-lg px-3 py-2 ${brand.input}`}
              >
                {sandbox.accounts.map((account) => (
                  <option key={account.id} value={account.id}>
                    {account.displayName} ({account.email})
                  </option>
                ))}
              </select>
            </label>

            <p className={`mt-6 text-sm ${brand.muted}`}>{APP_NAME} is asking to read:</p>
            <ul className="mt-2 space-y-2">
              {validation.request.scopes.map((scope) => (
                <li key={scope} className="flex gap-3 text-sm">
                  <span aria-hidden className="mt-1.5 h-1.5 w-1.5 shrink-0 rounded-full bg-current" />
                  <span>
                    {sandbox.scopeDescriptions?.[scope] ?? scope}{" "}
                    <span className={`font-mono text-xs ${brand.muted}`}>({scope})</span>
                  </span>
                </li>
              ))}
            </ul>

            {validation.request.codeChallenge ? (
              <p className={`mt-4 text-xs ${brand.muted}`}>This request is protected with PKCE (S256).</p>
            ) : null}

            {FORWARDED.map((name) => {
              const value = query.get(name);
              return value === null ? null : <input key={name} type="hidden" name={name} value={value} />;
            })}

            <p className={`mt-6 text-xs ${brand.muted}`}>
              You can revoke this access at any time. This is a local sandbox: no real {brand.name} account is involved.
            </p>
            <div className="mt-6 flex gap-3">
              <button
                type="submit"
                name="decision"
                value="deny"
                className={`flex-1 rounded-full px-4 py-2.5 font-medium ${brand.secondaryButton}`}
              >
                Deny
              </button>
              <button
                type="submit"
                name="decision"
                value="allow"
                className={`flex-1 rounded-full px-4 py-2.5 font-medium ${brand.primaryButton}`}
              >
                Authorise
              </button>
            </div>
          </form>
        )}
      </div>
    </div>
  );
}
