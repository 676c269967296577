// Live updates: GraphQL subscriptions over graphql-transport-ws on /graphql (the graphql-ws client).
// The server authenticates the socket by connection_init's payload (browsers cannot set headers).
import { createClient } from "graphql-ws";
import { credential } from "./api.js";

let client = null;
let state = "connecting";
const listeners = new Set();

function setState(next) {
  state = next;
  listeners.forEach((listener) => listener(state));
}

function live() {
  if (!client) {
    client = createClient({
      url: `${location.origin.replace(/^http/, "ws")}/graphql`,
      connectionParams: () => ({ authorization: `Bearer ${credential()}` }),
      lazy: true,
      retryAttempts: 20,
      shouldRetry: () => Boolean(credential()),
      on: {
        connecting: () => setState("connecting"),
        connected: () => setState("live"),
        closed: () => setState("offline"),
      },
    });
  }
  return client;
}

// Calls onData(data) for each event; returns the function that ends the subscription.
// onState("connecting" | "live" | "offline") follows the socket.
export function subscribe(query, variables, onData, onState = () => {}) {
  listeners.add(onState);
  onState(state);
  const stop = live().subscribe(
    { query, variables },
    {
      next: (result) => {
        if (result.data) onData(result.data);
      },
      error: () => onState("offline"),
      complete: () => {},
    },
  );
  return () => {
    listeners.delete(onState);
    stop();
  };
}

export function closeLive() {
  if (client) client.dispose();
  client = null;
  state = "connecting";
}
