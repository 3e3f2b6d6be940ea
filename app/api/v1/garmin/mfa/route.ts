import { sessionMfaRoute } from "../../session/session-routes";

// POST /api/v1/garmin/mfa — kept for existing clients: /api/v1/session/garmin/mfa.
export const POST = sessionMfaRoute(() => "garmin");
