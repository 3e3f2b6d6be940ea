import { config } from "@/lib/config";

/**
 * Whether a sandbox may call this URL back (Oura's verification GET, Withings' HEAD probe, and the
 * notifications after them). Real providers call any public URL; a sandbox stands in for them for
 * this app only, so it calls back nothing but the app's own origin (APP_URL). That keeps a sandbox
 * served outside development (ENABLE_SANDBOX=true) from being a way to make the server send
 * requests to other hosts.
 */
export function sandboxMayCallBack(url: string): boolean {
  try {
    return new URL(url).origin === config().appUrl.origin;
  } catch {
    return false;
  }
}
