// Job downloads: the file on disk is named by the job, the name offered to the browser is the
// one a user typed (a volume's name), encoded so it cannot break the header or name a path.
import path from "node:path";
import { describe, expect, it } from "vitest";
import { tempDir } from "../../test/support/temp-dir";
import { attachmentDisposition, jobFile } from "./tasks";

describe("job download files", () => {
  it("are found only by a job uuid and one of the names jobs give their files", () => {
    const dir = tempDir("jfsmeta-jobfiles-");
    process.env.JFSMETA_DATA_DIR = dir;
    const id = "0b7e5d4e-1c1a-4b1e-9a57-0d8cfb3f3a3e";
    expect(jobFile(id, "dump.json")).toBe(path.join(dir, "jobs", id, "dump.json"));
    expect(jobFile(id, "export.json")).toBe(path.join(dir, "jobs", id, "export.json"));
    for (const name of ["../../auth.json", "my volume-2026.json", "secret.key", "dump.json/..", ""]) expect(jobFile(id, name), name).toBeNull();
    for (const bad of ["..", "../../../tmp", id.toUpperCase(), `${id}/..`]) expect(jobFile(bad, "dump.json"), bad).toBeNull();
  });

  it("are offered under the typed name, without its directories or header-breaking characters", () => {
    expect(attachmentDisposition("demo-2026-01-01-000000.json.gz")).toBe(
      `attachment; filename="demo-2026-01-01-000000.json.gz"; filename*=UTF-8''demo-2026-01-01-000000.json.gz`,
    );
    expect(attachmentDisposition("../../../../tmp/x-2026.json")).toBe(`attachment; filename="x-2026.json"; filename*=UTF-8''x-2026.json`);
    expect(attachmentDisposition('my "vol"\r\nSet-Cookie: a=b.json')).toBe(
      `attachment; filename="my__vol___Set-Cookie__a_b.json"; filename*=UTF-8''my%20%22vol%22%0D%0ASet-Cookie%3A%20a%3Db.json`,
    );
    expect(attachmentDisposition("données é.json")).toMatch(/^attachment; filename="donn_es__.json"; filename\*=UTF-8''donn%C3%A9es%20%C3%A9\.json$/);
    for (const dots of ["..", ".", "a/.."]) expect(attachmentDisposition(dots)).toBe(`attachment; filename="download"; filename*=UTF-8''download`);
  });
});
