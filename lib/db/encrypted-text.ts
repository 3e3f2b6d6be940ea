import { customType } from "drizzle-orm/pg-core";
import { decryptToken, encryptToken } from "@/lib/crypto/token-vault";

/**
 * A text column that is encrypted with the token vault on the way in and decrypted on the way
 * out, so plaintext tokens never reach the database and the schema says which columns are secret.
 */
export const encryptedText = customType<{ data: string; driverData: string }>({
  dataType() {
    return "text";
  },
  toDriver(value) {
    return encryptToken(value);
  },
  fromDriver(value) {
    return decryptToken(value);
  },
});
