import crypto from "node:crypto";
import { describe, expect, it } from "vitest";
import type { EncryptionKey } from "@/lib/config";
import { decryptWithKeys, encryptWithKeys, envelopeKeyId, TokenDecryptionError } from "./token-vault";

const key = (id: string): EncryptionKey => ({ id, key: crypto.randomBytes(32) });

describe("token vault", () => {
  const k1 = key("k1");
  const k2 = key("k2");

  it("round-trips and never contains the plaintext", () => {
    const envelope = encryptWithKeys("oura-access-token-123", [k1]);
    expect(envelope).not.toContain("oura-access-token-123");
    expect(envelope.startsWith("v1.k1.")).toBe(true);
    expect(decryptWithKeys(envelope, [k1])).toBe("oura-access-token-123");
  });

  it("uses a fresh IV every time", () => {
    expect(encryptWithKeys("same", [k1])).not.toBe(encryptWithKeys("same", [k1]));
  });

  it("detects tampering with the ciphertext, tag or IV", () => {
    const envelope = encryptWithKeys("secret", [k1]);
    const parts = envelope.split(".");
    for (const index of [2, 3, 4]) {
      const tampered = [...parts];
      const bytes = Buffer.from(tampered[index]!, "base64url");
      bytes[0] = bytes[0]! ^ 0xff;
      tampered[index] = bytes.toString("base64url");
      expect(() => decryptWithKeys(tampered.join("."), [k1])).toThrow(TokenDecryptionError);
    }
  });

  it("refuses an envelope relabelled with another key id", () => {
    const envelope = encryptWithKeys("secret", [k1]);
    const relabelled = envelope.replace("v1.k1.", "v1.k2.");
    expect(() => decryptWithKeys(relabelled, [k1, { id: "k2", key: k1.key }])).toThrow(TokenDecryptionError);
  });

  it("rotates: the first key encrypts, every key decrypts", () => {
    const old = encryptWithKeys("secret", [k1]);
    const keys = [k2, k1];
    expect(decryptWithKeys(old, keys)).toBe("secret");
    const fresh = encryptWithKeys("secret", keys);
    expect(envelopeKeyId(fresh)).toBe("k2");
    expect(() => decryptWithKeys(fresh, [k1])).toThrow(/No configured key with id "k2"/);
  });

  it("rejects things that are not envelopes without echoing them", () => {
    expect(() => decryptWithKeys("plain-token", [k1])).toThrow(TokenDecryptionError);
    try {
      decryptWithKeys("v1.k1.AAAA.BBBB.CCCC", [k1]);
    } catch (error) {
      expect((error as Error).message).not.toContain("CCCC");
    }
  });
});
