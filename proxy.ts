// Runs before every request (pages, server actions, route handlers, static files): refuses
// requests from other origins (lib/server/web-security.ts says which), puts the static
// security headers on every response, and gives each page a Content-Security-Policy with a
// fresh script nonce, which Next.js reads from the request's CSP header and puts on its own
// scripts.
import { NextResponse, type NextRequest } from "next/server";
import { API_CSP, isApiPath, newNonce, pageCsp, refuseForeign, STATIC_SECURITY_HEADERS } from "./lib/server/web-security";

function withStatic(res: NextResponse): NextResponse {
  for (const [k, v] of Object.entries(STATIC_SECURITY_HEADERS)) res.headers.set(k, v);
  return res;
}

export function proxy(request: NextRequest) {
  const { pathname } = request.nextUrl;
  if (refuseForeign(request.method, pathname, request.headers)) {
    return withStatic(
      NextResponse.json(
        { error: "refused: this request comes from another site (Origin/Sec-Fetch-Site); use the dashboard itself" },
        { status: 403, headers: { "Content-Security-Policy": API_CSP } },
      ),
    );
  }
  if (pathname.startsWith("/_next/static/")) return withStatic(NextResponse.next());
  if (isApiPath(pathname)) {
    const res = NextResponse.next();
    res.headers.set("Content-Security-Policy", API_CSP);
    return withStatic(res);
  }
  const csp = pageCsp(newNonce(), process.env.NODE_ENV === "development");
  const headers = new Headers(request.headers);
  headers.set("Content-Security-Policy", csp);
  const res = NextResponse.next({ request: { headers } });
  res.headers.set("Content-Security-Policy", csp);
  return withStatic(res);
}

// No matcher: every request, so static files get nosniff too.
