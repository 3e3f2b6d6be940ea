/** Messages the auth forms show, shared by the client forms and the server-rendered pages. */
export const INCORRECT_CREDENTIALS = "Email or password is incorrect";
export const EMAIL_TAKEN = "An account with this email already exists";
export const UNREACHABLE = "Could not reach the server. Check your connection and try again.";
