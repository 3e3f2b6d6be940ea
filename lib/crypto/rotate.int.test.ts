import { eq, sql } from "drizzle-orm";
import { afterEach, describe, expect, it } from "vitest";
import { resetConfig } from "@/lib/config";
import { saveConnectionGrant } from "@/lib/connections/service";
import { getDb } from "@/lib/db/client";
import { connections } from "@/lib/db/schema";
import { createOAuthState } from "@/lib/oauth/state";
import { createSignedInUser } from "@/lib/testing/users";
import { rotateEncryptedColumns } from "./rotate";

const originalKeys = process.env.TOKEN_ENCRYPTION_KEYS!;
const newKey = `k2:${Buffer.alloc(32, 9).toString("base64")}`;

afterEach(() => {
  process.env.TOKEN_ENCRYPTION_KEYS = originalKeys;
  resetConfig();
});

async function rawTokens(id: string) {
  const db = await getDb();
  const [row] = await db
    .select({ access: sql<string>`${connections.accessToken}`, refresh: sql<string>`${connections.refreshToken}` })
    .from(connections)
    .where(eq(connections.id, id));
  return row!;
}

describe("token key rotation", () => {
  it("re-encrypts every stored secret under the new first key, keeping the plaintext", async () => {
    const user = await createSignedInUser();
    const { id } = await saveConnectionGrant({
      userId: user.id,
      provider: "oura",
      tokens: {
        accessToken: "access-plain",
        refreshToken: "refresh-plain",
        expiresAt: new Date(Date.now() + 3600_000),
      },
    });
    await createOAuthState({
      userId: user.id,
      provider: "oura",
      redirectPath: "/accounts",
      codeVerifier: "verifier-plain",
    });
    expect((await rawTokens(id)).access).toMatch(/^v1\.test1\./);

    // New key first, old key kept so existing rows still decrypt.
    process.env.TOKEN_ENCRYPTION_KEYS = `${newKey},${originalKeys}`;
    resetConfig();
    const result = await rotateEncryptedColumns();
    expect(result).toEqual({ keyId: "k2", rewritten: 3, alreadyCurrent: 0 });
    const raw = await rawTokens(id);
    expect(raw.access).toMatch(/^v1\.k2\./);
    expect(raw.refresh).toMatch(/^v1\.k2\./);

    // The old key can now be dropped: everything decrypts with the new one alone.
    process.env.TOKEN_ENCRYPTION_KEYS = newKey;
    resetConfig();
    const db = await getDb();
    const [row] = await db.select().from(connections).where(eq(connections.id, id));
    expect(row).toMatchObject({ accessToken: "access-plain", refreshToken: "refresh-plain" });
    expect(await rotateEncryptedColumns()).toEqual({ keyId: "k2", rewritten: 0, alreadyCurrent: 3 });
  });
});
