import { createHash, randomBytes } from "node:crypto";

/**
 * The per-connection token in the callback URL of providers whose notifications are not signed
 * (Withings): 256 random bits, base64url. Only its SHA-256 is stored (connections.webhook_token_hash).
 */
export function generateWebhookToken(): string {
  return randomBytes(32).toString("base64url");
}

export function hashWebhookToken(token: string): string {
  return createHash("sha256").update(token, "utf8").digest("hex");
}
