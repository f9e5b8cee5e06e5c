-- jfsmeta's own tables for SQLite (applied at start-up; every statement is idempotent).
CREATE TABLE IF NOT EXISTS "Volume" (
  "id" TEXT NOT NULL PRIMARY KEY,
  "name" TEXT NOT NULL,
  "metaUrl" TEXT NOT NULL,
  "storageJson" TEXT NOT NULL DEFAULT '{}',
  "backupInterval" INTEGER NOT NULL DEFAULT 3600,
  "demo" BOOLEAN NOT NULL DEFAULT false,
  "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP
);
CREATE UNIQUE INDEX IF NOT EXISTS "Volume_name_key" ON "Volume"("name");
CREATE TABLE IF NOT EXISTS "Job" (
  "id" TEXT NOT NULL PRIMARY KEY,
  "kind" TEXT NOT NULL,
  "state" TEXT NOT NULL,
  "volumeId" TEXT,
  "title" TEXT NOT NULL,
  "paramsJson" TEXT NOT NULL DEFAULT '{}',
  "done" REAL NOT NULL DEFAULT 0,
  "total" REAL NOT NULL DEFAULT 0,
  "phase" TEXT NOT NULL DEFAULT '',
  "log" TEXT NOT NULL DEFAULT '',
  "resultJson" TEXT,
  "error" TEXT,
  "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
  "startedAt" DATETIME,
  "finishedAt" DATETIME,
  CONSTRAINT "Job_volumeId_fkey" FOREIGN KEY ("volumeId") REFERENCES "Volume" ("id") ON DELETE SET NULL ON UPDATE CASCADE
);
CREATE INDEX IF NOT EXISTS "Job_createdAt_idx" ON "Job"("createdAt");
CREATE TABLE IF NOT EXISTS "Audit" (
  "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
  "at" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
  "actor" TEXT NOT NULL,
  "action" TEXT NOT NULL,
  "target" TEXT NOT NULL,
  "detail" TEXT NOT NULL DEFAULT ''
);
CREATE TABLE IF NOT EXISTS "Session" (
  "id" TEXT NOT NULL PRIMARY KEY,
  "epoch" TEXT NOT NULL,
  "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
  "expiresAt" DATETIME NOT NULL
);
CREATE INDEX IF NOT EXISTS "Session_expiresAt_idx" ON "Session"("expiresAt");
CREATE TABLE IF NOT EXISTS "BackupRecord" (
  "volumeId" TEXT NOT NULL,
  "backup" TEXT NOT NULL,
  "verifyState" TEXT NOT NULL DEFAULT '',
  "verifiedAt" DATETIME,
  "verifyDetail" TEXT NOT NULL DEFAULT '',
  "verifyJobId" TEXT,
  "inodes" REAL,
  "consistent" BOOLEAN,
  "snapshotAt" DATETIME,
  "updatedAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
  PRIMARY KEY ("volumeId", "backup")
);
CREATE TABLE IF NOT EXISTS "Webhook" (
  "id" TEXT NOT NULL PRIMARY KEY,
  "url" TEXT NOT NULL,
  "secret" TEXT NOT NULL DEFAULT '',
  "updatedAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP
);
CREATE TABLE IF NOT EXISTS "AlertSent" (
  "key" TEXT NOT NULL PRIMARY KEY,
  "kind" TEXT NOT NULL,
  "volumeId" TEXT NOT NULL,
  "at" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP
);
CREATE TABLE IF NOT EXISTS "BackupPolicy" (
  "volumeId" TEXT NOT NULL PRIMARY KEY,
  "consistent" TEXT NOT NULL DEFAULT 'auto',
  "maxOps" INTEGER,
  "maxLatencyMs" INTEGER,
  "updatedAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP
);
