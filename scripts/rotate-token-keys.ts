/**
 * `npm run tokens:rotate`: re-encrypts every stored secret under the first key of
 * TOKEN_ENCRYPTION_KEYS. Put the new key first, keep the old ones after it, run this, then remove
 * the old keys.
 */
import { rotateEncryptedColumns } from "@/lib/crypto/rotate";
import { closeDb } from "@/lib/db/client";

const result = await rotateEncryptedColumns();
console.info(
  `Re-encrypted ${result.rewritten} value(s) under key "${result.keyId}"; ${result.alreadyCurrent} were already current.`,
);
await closeDb();
