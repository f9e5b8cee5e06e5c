// The dashboard's HTTP security policy in one place: the headers every response carries, the
// Content-Security-Policy of pages and of API answers, and which requests count as coming
// from another origin. Pure functions; proxy.ts applies them to every request.

/** Headers that do not change per request. */
export const STATIC_SECURITY_HEADERS: Record<string, string> = {
  "X-Content-Type-Options": "nosniff",
  "Referrer-Policy": "no-referrer",
  // For browsers without CSP frame-ancestors.
  "X-Frame-Options": "DENY",
  "Permissions-Policy": "camera=(), microphone=(), geolocation=(), payment=(), usb=()",
  "Cross-Origin-Opener-Policy": "same-origin",
  "Cross-Origin-Resource-Policy": "same-origin",
};

/**
 * The CSP of an HTML page. Scripts: only this origin's files and inline scripts carrying the
 * request's nonce (Next.js puts it on its own inline scripts, which carry the page's data);
 * 'strict-dynamic' lets those load the page's chunks. Styles allow 'unsafe-inline' because
 * React renders `style` attributes (progress bars, the JSON viewer, the virtualised tree),
 * which nonces cannot cover; a style cannot run script. `next dev` needs 'unsafe-eval'.
 */
export function pageCsp(nonce: string, dev = false): string {
  return [
    "default-src 'self'",
    `script-src 'self' 'nonce-${nonce}' 'strict-dynamic'${dev ? " 'unsafe-eval'" : ""}`,
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' data: blob:",
    "font-src 'self' data:",
    "connect-src 'self'",
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'self'",
    "frame-ancestors 'none'",
  ].join("; ");
}

/** The CSP of API answers (JSON, downloads): nothing in them may run or be framed. */
export const API_CSP = "default-src 'none'; frame-ancestors 'none'; sandbox";

/** A fresh nonce: 128 random bits, base64. */
export function newNonce(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  return btoa(String.fromCharCode(...bytes));
}

/**
 * Does a request come from a page of another origin? Browsers say so in Sec-Fetch-Site
 * ("cross-site", or "same-site" for another port or subdomain, which shares our cookies)
 * and in Origin. The host compared with is the one the browser addressed: X-Forwarded-Host
 * behind a proxy, else Host. A request with neither header (curl, a typed URL) is not foreign.
 */
export function isForeignRequest(h: { get(name: string): string | null }): boolean {
  const site = h.get("sec-fetch-site");
  if (site === "cross-site" || site === "same-site") return true;
  const origin = h.get("origin");
  if (!origin) return false;
  const host = (h.get("x-forwarded-host") ?? h.get("host") ?? "").split(",")[0].trim().toLowerCase();
  try {
    return new URL(origin).host.toLowerCase() !== host;
  } catch {
    return true; // "null" (sandboxed frames, file: pages) and garbage
  }
}

/**
 * Paths answered by route handlers for programs, not pages: the JSON API and the Prometheus
 * scrape endpoint. They get the API's CSP and are refused when another origin asks.
 */
export function isApiPath(pathname: string): boolean {
  return pathname.startsWith("/api/") || pathname === "/metrics";
}

/**
 * Requests refused before any code runs: a foreign request to the API (reads are still
 * someone's data), and any foreign request that is not a plain read (server actions, forms
 * posted from elsewhere). Foreign GETs of pages stay allowed: a link from elsewhere opens the
 * login page or the dashboard, which then cannot be framed.
 */
export function refuseForeign(method: string, pathname: string, h: { get(name: string): string | null }): boolean {
  if (!isForeignRequest(h)) return false;
  return isApiPath(pathname) || !(method === "GET" || method === "HEAD");
}
