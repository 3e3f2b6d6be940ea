/**
 * Fixed secrets for integration and end-to-end runs only, so encrypted values and sessions are
 * reproducible inside a run. Never used by a real deployment (config.ts demands real ones in production).
 */
export const TEST_TOKEN_ENCRYPTION_KEYS = `test1:${Buffer.alloc(32, 7).toString("base64")}`;
export const TEST_NEXTAUTH_SECRET = "test-nextauth-secret-not-for-production";
