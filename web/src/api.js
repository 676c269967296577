// Talking to the server: the public GraphQL API (POST /graphql), sign-in included (the signIn mutation).
// The credential (a JWT or an API key) lives in sessionStorage: closing the tab signs out.

const KEY = "promptops.credential";

export function credential() {
  return sessionStorage.getItem(KEY);
}

export function signOut() {
  sessionStorage.removeItem(KEY);
}

export class ApiError extends Error {
  constructor(message, code) {
    super(message);
    this.code = code;
  }
}

// E-mail and password for a JWT over GraphQL (signIn: the token route's payload, limits and brute-force
// detection). A refusal is the sign-in form's message, not a "signed out" event.
export async function signInWithPassword(email, password) {
  signOut(); // a stale credential is not sent along
  const data = await gql(
    `mutation SignIn($email: String!, $password: String!) { signIn(email: $email, password: $password) { accessToken } }`,
    { email, password },
    { signingIn: true },
  );
  sessionStorage.setItem(KEY, data.signIn.accessToken);
}

export async function signInWithKey(apiKey) {
  sessionStorage.setItem(KEY, apiKey.trim());
  try {
    await gql("query { viewer { role } }", {}, { signingIn: true });
  } catch (err) {
    signOut();
    throw err;
  }
}

// One GraphQL operation; rejects with the first error's message (and its extensions.code).
// An UNAUTHORIZED answer signs out (the credential expired or was revoked), except while signing in.
export async function gql(query, variables = {}, { signingIn = false } = {}) {
  const token = credential();
  const r = await fetch("/graphql", {
    method: "POST",
    headers: {
      "Content-Type": "application/json",
      Accept: "application/json",
      ...(token ? { Authorization: `Bearer ${token}` } : {}),
    },
    body: JSON.stringify({ query, variables }),
  });
  let body;
  try {
    body = await r.json();
  } catch {
    throw new ApiError(`The server answered HTTP ${r.status}`, r.status);
  }
  if (body.errors && body.errors.length) {
    const first = body.errors[0];
    const code = first.extensions && first.extensions.code;
    if (!signingIn && (code === "UNAUTHORIZED" || code === "UNAUTHENTICATED" || r.status === 401)) {
      signOut();
      window.dispatchEvent(new Event("promptops:signed-out"));
    }
    throw new ApiError(first.message, code);
  }
  if (!r.ok) throw new ApiError(`The server answered HTTP ${r.status}`, r.status);
  return body.data;
}
