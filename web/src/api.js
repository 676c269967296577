// Talking to the server: sign-in (POST /api/v1/auth/token) and the public GraphQL API (POST /graphql).
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

export async function signInWithPassword(email, password) {
  const r = await fetch("/api/v1/auth/token", {
    method: "POST",
    headers: { "Content-Type": "application/json", Accept: "application/json" },
    body: JSON.stringify({ email, password }),
  });
  const body = await r.json().catch(() => ({}));
  if (!r.ok) {
    throw new ApiError((body.error && body.error.message) || `Sign-in failed (HTTP ${r.status})`, r.status);
  }
  sessionStorage.setItem(KEY, body.data.access_token);
}

export async function signInWithKey(apiKey) {
  sessionStorage.setItem(KEY, apiKey.trim());
  try {
    await gql("query { viewer { role } }");
  } catch (err) {
    signOut();
    throw err;
  }
}

// One GraphQL operation; rejects with the first error's message (and its extensions.code).
export async function gql(query, variables = {}) {
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
    if (code === "UNAUTHORIZED" || code === "UNAUTHENTICATED" || r.status === 401) {
      signOut();
      window.dispatchEvent(new Event("promptops:signed-out"));
    }
    throw new ApiError(first.message, code);
  }
  if (!r.ok) throw new ApiError(`The server answered HTTP ${r.status}`, r.status);
  return body.data;
}
