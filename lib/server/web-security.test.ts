import { describe, expect, it } from "vitest";
import { isForeignRequest, newNonce, pageCsp, refuseForeign } from "./web-security";

const headers = (h: Record<string, string>) => ({ get: (n: string) => h[n.toLowerCase()] ?? null });

describe("which requests come from another origin", () => {
  it("trusts the browser's Sec-Fetch-Site, then compares Origin with the host it addressed", () => {
    expect(isForeignRequest(headers({ host: "127.0.0.1:3000" }))).toBe(false); // curl, a typed URL
    expect(isForeignRequest(headers({ host: "127.0.0.1:3000", "sec-fetch-site": "same-origin", origin: "http://127.0.0.1:3000" }))).toBe(false);
    expect(isForeignRequest(headers({ host: "127.0.0.1:3000", "sec-fetch-site": "none" }))).toBe(false);
    expect(isForeignRequest(headers({ host: "127.0.0.1:3000", "sec-fetch-site": "cross-site" }))).toBe(true);
    // Another port of the same host shares the cookies: foreign too.
    expect(isForeignRequest(headers({ host: "127.0.0.1:3000", "sec-fetch-site": "same-site" }))).toBe(true);
    expect(isForeignRequest(headers({ host: "127.0.0.1:3000", origin: "http://127.0.0.1:8080" }))).toBe(true);
    expect(isForeignRequest(headers({ host: "127.0.0.1:3000", origin: "null" }))).toBe(true);
    // Behind a proxy the browser addressed X-Forwarded-Host.
    expect(isForeignRequest(headers({ host: "10.0.0.5:3000", "x-forwarded-host": "jfsmeta.example", origin: "https://jfsmeta.example" }))).toBe(false);
    expect(isForeignRequest(headers({ host: "jfsmeta.example", origin: "https://JFSMETA.example" }))).toBe(false);
  });

  it("refuses foreign API requests and foreign writes, lets foreign links open pages", () => {
    const evil = headers({ host: "h", origin: "http://evil.example", "sec-fetch-site": "cross-site" });
    expect(refuseForeign("GET", "/api/jobs", evil)).toBe(true);
    expect(refuseForeign("GET", "/metrics", evil)).toBe(true);
    expect(refuseForeign("POST", "/volumes/demo", evil)).toBe(true); // a server action
    expect(refuseForeign("GET", "/volumes/demo", evil)).toBe(false);
    expect(refuseForeign("POST", "/volumes/demo", headers({ host: "h", origin: "http://h" }))).toBe(false);
  });
});

describe("the pages' Content-Security-Policy", () => {
  it("allows scripts only by nonce (no 'unsafe-inline' for scripts), forbids framing", () => {
    const nonce = newNonce();
    expect(Buffer.from(nonce, "base64")).toHaveLength(16);
    expect(newNonce()).not.toBe(nonce);
    const csp = pageCsp(nonce);
    const script = csp.split("; ").find((d) => d.startsWith("script-src"))!;
    expect(script).toBe(`script-src 'self' 'nonce-${nonce}' 'strict-dynamic'`);
    expect(csp).toContain("frame-ancestors 'none'");
    expect(csp).toContain("object-src 'none'");
    expect(pageCsp(nonce, true)).toContain("'unsafe-eval'");
  });
});
