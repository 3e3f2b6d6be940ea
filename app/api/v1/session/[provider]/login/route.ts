import { sessionLoginRoute } from "../../session-routes";

// POST /api/v1/session/{provider}/login — any session-kind provider (see session-routes.ts).
export const POST = sessionLoginRoute((params) => params.provider!);
