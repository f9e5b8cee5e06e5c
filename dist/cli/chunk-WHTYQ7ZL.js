// lib/engines/engine.ts
function isRedisKind(kind) {
  return kind === "redis" || kind === "redis-sentinel" || kind === "redis-cluster";
}

export {
  isRedisKind
};
