// lib/jfs/network.ts
import net from "node:net";
var NETWORK_CODES = /* @__PURE__ */ new Set([
  "ECONNREFUSED",
  "ENOTFOUND",
  "EAI_AGAIN",
  "ETIMEDOUT",
  "EHOSTUNREACH",
  "ENOENT",
  "ECONNRESET",
  "EPIPE",
  "EACCES",
  "ER_GET_CONNECTION_TIMEOUT",
  "ER_CONNECTION_TIMEOUT",
  "ER_SOCKET_UNEXPECTED_CLOSE"
]);
var NETWORK_MESSAGES = /connect ECONNREFUSED|getaddrinfo ENOTFOUND|connect ETIMEDOUT|Connection is closed|Stream isn't writeable|timeout exceeded when trying to connect|Connection terminated|socket hang up|socket has unexpectedly been closed/i;
function networkErrorCode(err) {
  const e = err;
  for (const c of [e?.code, e?.cause?.code]) if (c !== void 0 && NETWORK_CODES.has(String(c))) return String(c);
  const code = String(e?.code ?? "");
  const msg = e?.message ?? String(err);
  return NETWORK_MESSAGES.test(msg) ? code || msg : null;
}
function freePort() {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.unref();
    srv.on("error", reject);
    srv.listen(0, "127.0.0.1", () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
  });
}

export {
  networkErrorCode,
  freePort
};
