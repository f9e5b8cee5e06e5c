import {
  JfsError,
  wrapError
} from "./chunk-CPAUB6IY.js";

// lib/engines/url.ts
import { readFileSync } from "node:fs";
function userinfoEnd(rest) {
  const q = rest.indexOf("?");
  return (q >= 0 ? rest.slice(0, q) : rest).lastIndexOf("@");
}
function splitAuthority(rest, engine) {
  let query = "";
  const q = rest.indexOf("?");
  if (q >= 0) {
    query = rest.slice(q + 1);
    rest = rest.slice(0, q);
  }
  const at = rest.lastIndexOf("@");
  if (at < 0) return { address: rest, query };
  const userinfo = rest.slice(0, at);
  const colon = userinfo.indexOf(":");
  const decode = (text, part) => {
    try {
      return decodeURIComponent(text);
    } catch (err) {
      throw new JfsError("usage", `invalid %-escape in the ${part} of the ${engine} META-URL: percent-encode special characters`, { cause: err });
    }
  };
  return {
    address: rest.slice(at + 1),
    query,
    username: decode(colon >= 0 ? userinfo.slice(0, colon) : userinfo, "user name"),
    password: colon >= 0 ? decode(userinfo.slice(colon + 1), "password") : void 0
  };
}
function redactUrl(url) {
  const i = url.indexOf("://");
  const head = i >= 0 ? url.slice(0, i + 3) : "";
  const rest = i >= 0 ? url.slice(i + 3) : url;
  const at = userinfoEnd(rest);
  if (at < 0) return url;
  const userinfo = rest.slice(0, at);
  const colon = userinfo.indexOf(":");
  if (colon < 0) return url;
  return `${head}${userinfo.slice(0, colon)}:****${rest.slice(at)}`;
}
function passwordFromEnv(env, vars) {
  for (const name of vars) if (env[name]) return env[name];
  const file = env.META_PASSWORD_FILE;
  if (!file) return void 0;
  try {
    return readFileSync(file, "utf8").trim();
  } catch (err) {
    throw wrapError(`cannot read META_PASSWORD_FILE ${file}`, err);
  }
}

export {
  splitAuthority,
  redactUrl,
  passwordFromEnv
};
