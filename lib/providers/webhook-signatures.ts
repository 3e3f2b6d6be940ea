import { createHmac, timingSafeEqual } from "node:crypto";
import type { z } from "zod";
import type { WebhookDelivery, WebhookRefusal } from "./types";

/**
 * Building blocks of the providers' webhook checks (Oura, WHOOP): HMAC-SHA256 over timestamp + raw
 * body with the client secret, compared in constant time, and a timestamp window.
 */

/** Providers retry for minutes; anything further from our clock than this is stale (or forged). */
export const WEBHOOK_MAX_SKEW_MS = 5 * 60 * 1000;

export function hmacSha256(key: string, message: string): Buffer {
  return createHmac("sha256", key).update(message, "utf8").digest();
}

/** Constant-time comparison of two byte strings (different lengths compare unequal, still without early exit on content). */
export function sameBytes(a: Buffer, b: Buffer): boolean {
  if (a.length !== b.length) {
    timingSafeEqual(a, a);
    return false;
  }
  return timingSafeEqual(a, b);
}

const HEX = /^[0-9a-fA-F]+$/;
const BASE64 = /^[A-Za-z0-9+/]+={0,2}$/;

/** An HMAC given as hex (any case) against the expected digest. */
export function hexSignatureMatches(given: string, expected: Buffer): boolean {
  if (given.length !== expected.length * 2 || !HEX.test(given)) return false;
  return sameBytes(Buffer.from(given, "hex"), expected);
}

/** An HMAC given as base64 against the expected digest. */
export function base64SignatureMatches(given: string, expected: Buffer): boolean {
  if (!BASE64.test(given) || given.length % 4 !== 0) return false;
  return sameBytes(Buffer.from(given, "base64"), expected);
}

/** A decimal timestamp header (seconds or milliseconds since the epoch), in ms; undefined when malformed. */
export function parseTimestampHeader(value: string | null, unit: "s" | "ms"): number | undefined {
  if (!value || !/^\d{1,16}$/.test(value)) return undefined;
  const n = Number(value);
  return unit === "s" ? n * 1000 : n;
}

/**
 * The common check: a well-formed timestamp within the window (else `stale`), then the signature
 * (else `forged`). Missing headers are `forged`: nothing proves the request is the provider's.
 */
export function checkSignedDelivery(input: {
  timestamp: string | null;
  signature: string | null;
  unit: "s" | "ms";
  now: Date;
  matches: (signature: string, timestamp: string) => boolean;
}): WebhookRefusal | undefined {
  if (!input.signature || !input.timestamp) return "forged";
  const at = parseTimestampHeader(input.timestamp, input.unit);
  if (at === undefined) return "forged";
  if (!input.matches(input.signature, input.timestamp)) return "forged";
  if (Math.abs(input.now.getTime() - at) > WEBHOOK_MAX_SKEW_MS) return "stale";
  return undefined;
}

/**
 * A provider's check as data: which headers carry the timestamp and the signature, the timestamp's
 * unit and the signature's encoding. The HMAC is over timestamp + raw body, keyed by the client secret.
 */
export function timestampedHmacVerifier(options: {
  timestampHeader: string;
  signatureHeader: string;
  unit: "s" | "ms";
  encoding: "hex" | "base64";
}): (delivery: WebhookDelivery, clientSecret: string) => WebhookRefusal | undefined {
  const matches = options.encoding === "hex" ? hexSignatureMatches : base64SignatureMatches;
  return (delivery, clientSecret) =>
    checkSignedDelivery({
      timestamp: delivery.headers.get(options.timestampHeader),
      signature: delivery.headers.get(options.signatureHeader),
      unit: options.unit,
      now: delivery.now,
      matches: (signature, timestamp) => matches(signature, hmacSha256(clientSecret, timestamp + delivery.rawBody)),
    });
}

/** A JSON body that satisfies `schema`, or undefined (never throws). */
export function parseJsonBody<T>(rawBody: string, schema: z.ZodType<T>): T | undefined {
  let json: unknown;
  try {
    json = JSON.parse(rawBody);
  } catch {
    return undefined;
  }
  const parsed = schema.safeParse(json);
  return parsed.success ? parsed.data : undefined;
}
