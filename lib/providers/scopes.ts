import type { Collection, ProviderCommon } from "./types";

/**
 * Whether the granted scopes cover a collection (any one of its declared scopes). Grants that
 * carry no scope list (session providers, or a provider that did not echo scopes) cover everything.
 */
export function collectionGranted(
  provider: Pick<ProviderCommon, "collectionScopes">,
  collectionId: string,
  granted: string[],
): boolean {
  const needed = provider.collectionScopes?.[collectionId];
  if (!needed || granted.length === 0) return true;
  return needed.some((scope) => granted.includes(scope));
}

/** The collections a sync should fetch for these granted scopes, in the provider's order. */
export function grantedCollections<T extends Collection<unknown>>(
  provider: Pick<ProviderCommon, "collectionScopes"> & { collections: T[] },
  granted: string[],
): T[] {
  return provider.collections.filter((c) => collectionGranted(provider, c.id, granted));
}
