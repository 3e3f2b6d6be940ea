import { NextResponse } from "next/server";
import { clearSessionCookie } from "@/lib/auth/session-cookie";
import type { SessionUser } from "@/lib/auth/session";
import { json, readJson, validationError } from "@/lib/http/handlers";
import { ConfirmationMismatchError, deleteAccount, deleteAccountInput } from "./delete-account";

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
