import { NextResponse } from "next/server";
import { z } from "zod";
import { clearSessionCookie } from "@/lib/auth/session-cookie";
import { historyQuery, InvalidCursorError, syncHistoryPage } from "@/lib/sync/run-history";
import type { SessionUser } from "@/lib/auth/session";
import { detail, json, readJson, validationError } from "@/lib/http/handlers";
import { ConfirmationMismatchError, deleteAccount, deleteAccountInput } from "./delete-account";
import { csvZipChunks, EXPORT_FORMATS, exportFileName, jsonChunks, streamOf } from "./export";
import { deleteProviderData, providerDataSummary } from "./provider-data";

/** The HTTP side of "Your data" (the routes stay one line each). */

type Args = { request: Request; user: SessionUser };

/** POST {email}: revokes every connection, deletes the account and signs this browser out. */
export async function deleteAccountRoute({ request, user }: Args): Promise<Response> {
  const input = deleteAccountInput.safeParse(await readJson(request));
  if (!input.success) return validationError(input.error, "body");
  try {
    const revocations = await deleteAccount(user.id, input.data.email);
    return clearSessionCookie(
      NextResponse.json(
        { detail: "Your account and all its data were deleted.", revocations },
        { headers: { "cache-control": "no-store" } },
      ),
    );
  } catch (error) {
    if (error instanceof ConfirmationMismatchError)
      return json({ detail: [{ type: "confirmation", loc: ["body", "email"], msg: error.message }] }, { status: 422 });
    throw error;
  }
}

type ProviderArgs = { user: SessionUser; params: { provider: string } };

/** GET: how many days and rows of the provider's data there are (for the confirmation). */
export async function providerDataRoute({ user, params }: ProviderArgs): Promise<Response> {
  const summary = await providerDataSummary(user.id, params.provider);
  if (!summary) return detail(404, "Unknown provider");
  return json(summary);
}

/** DELETE: disconnects (revoking at the provider) and deletes the provider's connection and data. */
export async function deleteProviderDataRoute({ user, params }: ProviderArgs): Promise<Response> {
  const deletion = await deleteProviderData(user.id, params.provider);
  if (!deletion) return detail(404, "No connection or data from this provider");
  return json(deletion);
}

const exportQuery = z.object({ format: z.enum(EXPORT_FORMATS).default("csv") });

/** GET ?format=csv|json: the user's data as a streamed download whose file name carries the date. */
export function exportRoute({ request, user }: Args): Promise<Response> {
  const query = exportQuery.safeParse(Object.fromEntries(new URL(request.url).searchParams));
  if (!query.success) return Promise.resolve(validationError(query.error, "query"));
  const now = new Date();
  const { format } = query.data;
  const body = streamOf(format === "csv" ? csvZipChunks(user.id, now) : jsonChunks(user.id, now));
  return Promise.resolve(
    new Response(body, {
      headers: {
        "content-type": format === "csv" ? "application/zip" : "application/json; charset=utf-8",
        "content-disposition": `attachment; filename="${exportFileName(format, now)}"`,
        "cache-control": "no-store",
      },
    }),
  );
}

/** GET ?cursor&limit: a page of the connection's sync runs, newest first. */
export async function syncHistoryRoute({
  request,
  user,
  params,
}: ProviderArgs & { request: Request }): Promise<Response> {
  const query = historyQuery.safeParse(Object.fromEntries(new URL(request.url).searchParams));
  if (!query.success) return validationError(query.error, "query");
  try {
    const page = await syncHistoryPage(user.id, params.provider, query.data);
    return page ? json(page) : detail(404, "Not connected");
  } catch (error) {
    if (error instanceof InvalidCursorError) return detail(400, error.message);
    throw error;
  }
}
