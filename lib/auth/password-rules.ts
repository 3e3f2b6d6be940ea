/** The password length bounds, importable by client components without the policy's dictionaries. */
export const MIN_PASSWORD_LENGTH = 10;
export const MAX_PASSWORD_LENGTH = 256;
