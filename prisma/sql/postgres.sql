-- jfsmeta's own tables for PostgreSQL (applied at start-up; every statement is idempotent).
CREATE TABLE IF NOT EXISTS "Volume" (
  "id" TEXT NOT NULL PRIMARY KEY,
  "name" TEXT NOT NULL,
  "metaUrl" TEXT NOT NULL,
  "storageJson" TEXT NOT NULL DEFAULT '{}',
  "backupInterval" INTEGER NOT NULL DEFAULT 3600,
  "demo" BOOLEAN NOT NULL DEFAULT false,
  "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP
);
CREATE UNIQUE INDEX IF NOT EXISTS "Volume_name_key" ON "Volume"("name");
CREATE TABLE IF NOT EXISTS "Job" (
  "id" TEXT NOT NULL PRIMARY KEY,
  "kind" TEXT NOT NULL,
  "state" TEXT NOT NULL,
  "volumeId" TEXT REFERENCES "Volume"("id") ON DELETE SET NULL ON UPDATE CASCADE,
  "title" TEXT NOT NULL,
  "paramsJson" TEXT NOT NULL DEFAULT '{}',
  "done" DOUBLE PRECISION NOT NULL DEFAULT 0,
  "total" DOUBLE PRECISION NOT NULL DEFAULT 0,
  "phase" TEXT NOT NULL DEFAULT '',
  "log" TEXT NOT NULL DEFAULT '',
  "resultJson" TEXT,
  "error" TEXT,
  "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
  "startedAt" TIMESTAMP(3),
  "finishedAt" TIMESTAMP(3)
);
CREATE INDEX IF NOT EXISTS "Job_createdAt_idx" ON "Job"("createdAt");
CREATE TABLE IF NOT EXISTS "Audit" (
  "id" SERIAL PRIMARY KEY,
  "at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
  "actor" TEXT NOT NULL,
  "action" TEXT NOT NULL,
  "target" TEXT NOT NULL,
  "detail" TEXT NOT NULL DEFAULT ''
);
CREATE TABLE IF NOT EXISTS "Session" (
  "id" TEXT NOT NULL PRIMARY KEY,
  "epoch" TEXT NOT NULL,
  "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
  "expiresAt" TIMESTAMP(3) NOT NULL
);
CREATE INDEX IF NOT EXISTS "Session_expiresAt_idx" ON "Session"("expiresAt");
CREATE TABLE IF NOT EXISTS "BackupRecord" (
  "volumeId" TEXT NOT NULL,
  "backup" TEXT NOT NULL,
  "verifyState" TEXT NOT NULL DEFAULT '',
  "verifiedAt" TIMESTAMP(3),
  "verifyDetail" TEXT NOT NULL DEFAULT '',
  "verifyJobId" TEXT,
  "inodes" DOUBLE PRECISION,
  "consistent" BOOLEAN,
  "snapshotAt" TIMESTAMP(3),
  "updatedAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
  PRIMARY KEY ("volumeId", "backup")
);
CREATE TABLE IF NOT EXISTS "Webhook" (
  "id" TEXT NOT NULL PRIMARY KEY,
  "url" TEXT NOT NULL,
  "secret" TEXT NOT NULL DEFAULT '',
  "updatedAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP
);
CREATE TABLE IF NOT EXISTS "AlertSent" (
  "key" TEXT NOT NULL PRIMARY KEY,
  "kind" TEXT NOT NULL,
  "volumeId" TEXT NOT NULL,
  "at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP
);
CREATE TABLE IF NOT EXISTS "BackupPolicy" (
  "volumeId" TEXT NOT NULL PRIMARY KEY,
  "consistent" TEXT NOT NULL DEFAULT 'auto',
  "maxOps" INTEGER,
  "maxLatencyMs" INTEGER,
  "updatedAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP
);
