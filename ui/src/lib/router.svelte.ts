// Hash-based routing: `#/cases`, `#/case/<id>`, ... No library; the hash is the only state.

export type Route =
  | { name: "home" }
  | { name: "intake" }
  | { name: "cases" }
  | { name: "case"; id: string }
  | { name: "tasks" }
  | { name: "referrals" }
  | { name: "directory"; first?: string }
  | { name: "settings" };

/** The route a location hash stands for; unknown hashes go home. */
export function parseRoute(hash: string): Route {
  const parts = hash.replace(/^#\/?/, "").split("/").filter(Boolean);
  const [first, second] = parts;
  switch (first) {
    case "intake":
    case "cases":
    case "tasks":
    case "referrals":
    case "settings":
      return { name: first };
    case "case":
      return second ? { name: "case", id: decodeURIComponent(second) } : { name: "cases" };
    case "directory":
      // `#/directory/<theme>`: the partners for that theme first (from a question on a case).
      return second ? { name: "directory", first: decodeURIComponent(second) } : { name: first };
    default:
      return { name: "home" };
  }
}

/** The hash (with `#`) of a route, for links. */
export function href(route: Route): string {
  if (route.name === "case") return `#/case/${encodeURIComponent(route.id)}`;
  if (route.name === "directory" && route.first)
    return `#/directory/${encodeURIComponent(route.first)}`;
  return `#/${route.name}`;
}

let current = $state<Route>(parseRoute(typeof location === "undefined" ? "" : location.hash));

if (typeof window !== "undefined") {
  window.addEventListener("hashchange", () => {
    current = parseRoute(location.hash);
  });
}

/** The current route; reactive in templates. */
export function route(): Route {
  return current;
}

/** Go to a route (adds a history entry, like following a link). */
export function navigate(to: Route): void {
  const target = href(to);
  if (location.hash === target) current = to;
  else location.hash = target;
}
