import net from "node:net";
import { config } from "@/lib/config";

/**
 * The client's network address, for per-address rate limits.
 *
 * Route handlers never see the socket, only headers, and Next.js fills in `X-Forwarded-For` with
 * the socket address only when the request did not already carry one: a client talking to the app
 * directly can write any address there. So the header is read only when TRUST_PROXY says how many
 * reverse proxies in front of the app append to it, and then only the entry the outermost trusted
 * proxy appended (the ones to its left may have come from the client). Without TRUST_PROXY every
 * client is {@link UNIDENTIFIED_CLIENT}, which the limits treat as one shared, larger budget.
 *
 * IPv6 addresses are reduced to their /64 network: one subscriber usually holds a whole /64, so
 * counting single addresses would let them rotate through 2^64 of them.
 */

export const UNIDENTIFIED_CLIENT = "unidentified";

type HeaderSource = Headers | Record<string, string | string[] | undefined> | null | undefined;

function header(headers: HeaderSource, name: string): string | undefined {
  if (!headers) return undefined;
  if (headers instanceof Headers) return headers.get(name) ?? undefined;
  const value = headers[name] ?? headers[name.toLowerCase()];
  return Array.isArray(value) ? value.join(",") : value;
}

/** "1.2.3.4", "1.2.3.4:5678", "[2001:db8::1]:443", "2001:db8::1" → the bare address, or null. */
function bareAddress(entry: string): string | null {
  let candidate = entry.trim();
  const bracketed = /^\[([^\]]+)\](?::\d+)?$/.exec(candidate);
  if (bracketed) candidate = bracketed[1]!;
  else if (/^[\d.]+:\d+$/.test(candidate)) candidate = candidate.slice(0, candidate.lastIndexOf(":"));
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(candidate);
  if (mapped) candidate = mapped[1]!;
  return net.isIP(candidate) ? candidate : null;
}

/** The first four groups of an IPv6 address (its /64), written out in full. */
function ipv6Network(address: string): string {
  const [head = "", tail = ""] = address.toLowerCase().split("::");
  const headGroups = head ? head.split(":") : [];
  const tailGroups = address.includes("::") ? (tail ? tail.split(":") : []) : [];
  const groups = address.includes("::")
    ? [...headGroups, ...Array<string>(8 - headGroups.length - tailGroups.length).fill("0"), ...tailGroups]
    : headGroups;
  return `${groups
    .slice(0, 4)
    .map((g) => g.padStart(4, "0"))
    .join(":")}::/64`;
}

export function clientAddress(headers: HeaderSource, trustedProxies: number = config().trustedProxies): string {
  if (trustedProxies <= 0) return UNIDENTIFIED_CLIENT;
  const forwarded = header(headers, "x-forwarded-for");
  if (!forwarded) return UNIDENTIFIED_CLIENT;
  const hops = forwarded
    .split(",")
    .map((hop) => hop.trim())
    .filter(Boolean);
  if (hops.length === 0) return UNIDENTIFIED_CLIENT;
  // Fewer entries than trusted proxies: the leftmost one was still written by a trusted proxy.
  const entry = hops[Math.max(0, hops.length - trustedProxies)]!;
  const address = bareAddress(entry);
  if (!address) return UNIDENTIFIED_CLIENT;
  return net.isIPv6(address) ? ipv6Network(address) : address;
}
