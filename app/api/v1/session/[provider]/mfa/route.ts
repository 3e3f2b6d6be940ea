import { sessionMfaRoute } from "../../session-routes";

// POST /api/v1/session/{provider}/mfa — any session-kind provider (see session-routes.ts).
export const POST = sessionMfaRoute((params) => params.provider!);
