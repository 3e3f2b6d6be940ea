import { changePasswordRoute } from "@/lib/auth/account-http";
import { withSession } from "@/lib/http/handlers";

// POST /api/v1/account/password {currentPassword, newPassword} → 200 {detail} (this session re-issued,
// every other one ended); 400 wrong current password, 422 new password refused, 429 too many attempts.
export const POST = withSession(changePasswordRoute, { json: true });
