// The layering of jfsmeta as rules (README, "How it is built"), checked by `npm run lint`.
// Test files (*.test.ts) may reach test/support and other layers; product code may not.
const TEST = "\\.test\\.tsx?$";

/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    {
      name: "no-cycles",
      comment: "Modules never import each other in a circle (type-only and dynamic imports included).",
      severity: "error",
      from: {},
      to: { circular: true },
    },
    {
      name: "jfs-imports-nothing-of-ours",
      comment: "lib/jfs is the domain (types, the volume format, Go's JSON, escaping): it imports nothing of ours outside itself.",
      severity: "error",
      from: { path: "^lib/jfs/", pathNot: TEST },
      to: { path: "^(lib/(?!jfs/)|app/|components/|cli/|test/|bench/|e2e/|fuzz/)" },
    },
    {
      name: "dump-imports-only-jfs",
      comment: "lib/dump (format codecs) knows the domain only: never engines, storage, the dashboard.",
      severity: "error",
      from: { path: "^lib/dump/", pathNot: TEST },
      to: { path: "^(lib/(?!dump/|jfs/)|app/|components/|cli/|test/|bench/|e2e/|fuzz/)" },
    },
    {
      name: "engine-folders-no-dump",
      comment: "An engine (lib/engines/<engine>/) stores and reads metadata; formatting and parsing dumps is the codecs' job.",
      severity: "error",
      from: { path: "^lib/engines/[^/]+/", pathNot: TEST },
      to: { path: "^lib/dump/" },
    },
    {
      name: "engines-never-dump-writer",
      comment: "The dump walk (lib/engines/dump.ts) writes through the TreeWriter interface, never the JSON writer itself.",
      severity: "error",
      from: { path: "^lib/engines/", pathNot: TEST },
      to: { path: "^lib/dump/(writer|output)\\.ts$" },
    },
    {
      name: "lib-not-to-shells-or-tests",
      comment: "lib/ is the product: it never imports app/, components/, cli/, bench/, e2e/, fuzz/ or test/ (its tests may use test/support).",
      severity: "error",
      from: { path: "^lib/", pathNot: TEST },
      to: { path: "^(app|components|cli|test|bench|e2e|fuzz)/" },
    },
    {
      name: "components-not-to-app",
      comment: "components/ are used by app/, not the other way round: server actions live in lib/server/actions.",
      severity: "error",
      from: { path: "^components/" },
      to: { path: "^(app|cli|test)/" },
    },
    {
      name: "browser-code-server-types-only",
      comment:
        "Browser code (components/, lib/ui/) takes only types from the server side; at run time it may import lib/ui, lib/jfs (the pure domain: formatting, types), the server actions (lib/server/actions, called over HTTP), the pure retention windows (lib/storage/retention-windows.ts) and the inspector's wire schemas (lib/inspect/schemas.ts, so the browser validates what it streams).",
      severity: "error",
      from: { path: "^(components|lib/ui)/" },
      to: { path: "^lib/(?!ui/|jfs/|server/actions/|storage/retention-windows\\.ts$|inspect/schemas\\.ts$)", dependencyTypesNot: ["type-only"] },
    },
    {
      name: "inspect-schemas-browser-safe",
      comment: "lib/inspect/schemas.ts runs in the browser too: it imports nothing of ours but lib/jfs.",
      severity: "error",
      from: { path: "^lib/inspect/schemas\\.ts$" },
      to: { path: "^(lib/(?!jfs/)|app/|components/|cli/)" },
    },
    {
      name: "ui-imports-only-jfs",
      comment: "lib/ui (the shapes the browser receives) imports nothing of ours but lib/jfs, not even types from the server.",
      severity: "error",
      from: { path: "^lib/ui/", pathNot: TEST },
      to: { path: "^(lib/(?!ui/|jfs/)|app/|components/|cli/|test/|bench/|e2e/|fuzz/)" },
    },
    {
      name: "cli-not-to-dashboard",
      comment: "The CLI is a shell over lib/: it never imports the dashboard's pages or components.",
      severity: "error",
      from: { path: "^cli/" },
      to: { path: "^(app|components)/" },
    },
    {
      name: "not-to-unresolvable",
      comment: "Every import resolves (a moved file left an importer behind).",
      severity: "error",
      from: {},
      to: { couldNotResolve: true },
    },
  ],
  options: {
    doNotFollow: { path: "node_modules" },
    exclude: { path: "^(node_modules|\\.next|lib/generated|data|fixtures|\\.venv-juicefs)/" },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: "tsconfig.json" },
    enhancedResolveOptions: {
      exportsFields: ["exports"],
      conditionNames: ["import", "require", "node", "default", "types"],
      extensions: [".ts", ".tsx", ".js", ".mjs", ".cjs", ".d.ts"],
    },
  },
};
