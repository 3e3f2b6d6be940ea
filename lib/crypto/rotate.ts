import { eq, sql, type SQL } from "drizzle-orm";
import type { PgColumn, PgTable } from "drizzle-orm/pg-core";
import { getDb } from "@/lib/db/client";
import { connections, loginChallenges, oauthStates } from "@/lib/db/schema";
import { decryptToken, envelopeKeyId, primaryKeyId } from "./token-vault";

/** Every encrypted column, by table, with the table's key. */
const ENCRYPTED: Array<{ table: PgTable; key: PgColumn; columns: Record<string, PgColumn> }> = [
  {
    table: connections,
    key: connections.id,
    columns: {
      accessToken: connections.accessToken,
      refreshToken: connections.refreshToken,
      sessionSecrets: connections.sessionSecrets,
    },
  },
  { table: oauthStates, key: oauthStates.stateHash, columns: { codeVerifier: oauthStates.codeVerifier } },
  { table: loginChallenges, key: loginChallenges.idHash, columns: { context: loginChallenges.context } },
];

/**
 * Re-encrypts every value sealed with an older key under the primary (first) key. Envelopes are
 * read raw (not through the column decoder) to see their key id without decrypting current ones.
 */
export async function rotateEncryptedColumns(): Promise<{ keyId: string; rewritten: number; alreadyCurrent: number }> {
  const db = await getDb();
  const keyId = primaryKeyId();
  let rewritten = 0;
  let alreadyCurrent = 0;
  for (const { table, key, columns } of ENCRYPTED) {
    const fields: Record<string, SQL | PgColumn> = { key };
    for (const [name, column] of Object.entries(columns)) fields[name] = sql<string | null>`${column}`;
    const rows = (await db.select(fields as never).from(table)) as Array<Record<string, string | null>>;
    for (const row of rows) {
      const updates: Record<string, string> = {};
      for (const name of Object.keys(columns)) {
        const envelope = row[name];
        if (!envelope) continue;
        if (envelopeKeyId(envelope) === keyId) {
          alreadyCurrent++;
          continue;
        }
        // Assigning the plaintext lets the column type encrypt it under the primary key.
        updates[name] = decryptToken(envelope);
        rewritten++;
      }
      if (Object.keys(updates).length)
        await db
          .update(table)
          .set(updates)
          .where(eq(key, row.key as string));
    }
  }
  return { keyId, rewritten, alreadyCurrent };
}
