import crypto from "node:crypto";
import { config, type EncryptionKey } from "@/lib/config";

/**
 * AES-256-GCM envelope for provider tokens at rest.
 *
 * Format: `v1.<keyId>.<iv>.<tag>.<ciphertext>` (base64url parts). The key id travels with the
 * ciphertext so keys can rotate: the first configured key encrypts, every configured key decrypts,
 * and `npm run tokens:rotate` re-encrypts old rows under the first key.
 */

const VERSION = "v1";
const IV_BYTES = 12;

export class TokenDecryptionError extends Error {
  override name = "TokenDecryptionError";
}

export function encryptWithKeys(plaintext: string, keys: EncryptionKey[]): string {
  const primary = keys[0];
  if (!primary) throw new Error("No encryption key configured");
  const iv = crypto.randomBytes(IV_BYTES);
  const cipher = crypto.createCipheriv("aes-256-gcm", primary.key, iv);
  // The key id is bound as associated data, so a ciphertext cannot be relabelled with another key id.
  cipher.setAAD(Buffer.from(`${VERSION}.${primary.id}`));
  const ciphertext = Buffer.concat([cipher.update(plaintext, "utf8"), cipher.final()]);
  const tag = cipher.getAuthTag();
  return [
    VERSION,
    primary.id,
    iv.toString("base64url"),
    tag.toString("base64url"),
    ciphertext.toString("base64url"),
  ].join(".");
}

export function decryptWithKeys(envelope: string, keys: EncryptionKey[]): string {
  const parts = envelope.split(".");
  if (parts.length !== 5 || parts[0] !== VERSION) throw new TokenDecryptionError("Not an encrypted token envelope");
  const [, keyId, ivPart, tagPart, ctPart] = parts as [string, string, string, string, string];
  const key = keys.find((k) => k.id === keyId);
  if (!key) throw new TokenDecryptionError(`No configured key with id "${keyId}"`);
  try {
    const decipher = crypto.createDecipheriv("aes-256-gcm", key.key, Buffer.from(ivPart, "base64url"));
    decipher.setAAD(Buffer.from(`${VERSION}.${keyId}`));
    decipher.setAuthTag(Buffer.from(tagPart, "base64url"));
    return Buffer.concat([decipher.update(Buffer.from(ctPart, "base64url")), decipher.final()]).toString("utf8");
  } catch {
    // Never echo the envelope: it is derived from a secret.
    throw new TokenDecryptionError("Encrypted token failed authentication (tampered or wrong key)");
  }
}

/** The key id an envelope was sealed with, without decrypting it. */
export function envelopeKeyId(envelope: string): string | undefined {
  const parts = envelope.split(".");
  return parts.length === 5 && parts[0] === VERSION ? parts[1] : undefined;
}

export function encryptToken(plaintext: string): string {
  return encryptWithKeys(plaintext, config().encryptionKeys);
}

export function decryptToken(envelope: string): string {
  return decryptWithKeys(envelope, config().encryptionKeys);
}

export function primaryKeyId(): string {
  return config().encryptionKeys[0]!.id;
}
