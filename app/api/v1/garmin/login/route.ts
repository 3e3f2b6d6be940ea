import { sessionLoginRoute } from "../../session/session-routes";

// POST /api/v1/garmin/login — kept for existing clients: /api/v1/session/garmin/login.
export const POST = sessionLoginRoute(() => "garmin");
