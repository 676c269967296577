// `npm run build` writes the dashboard into api/static/dashboard/ (committed: `make run` needs no npm).
// The page is served at `/` by api/dashboard.py and its files under /dashboard/.
// The build also writes build-source.json: a sha256 of every source it was made from (SOURCES below),
// which tests/dashboard/test_build_source.py recomputes from the working tree, so a change to web/
// committed without a rebuild fails the suite (no npm needed to check).
import { createHash } from "node:crypto";
import { readFileSync, readdirSync, statSync } from "node:fs";
import { dirname, join, relative, sep } from "node:path";
import { fileURLToPath } from "node:url";
import { defineConfig } from "vite";

const WEB = dirname(fileURLToPath(import.meta.url));
// paths relative to web/; a directory stands for every file under it
const SOURCES = ["src", "index.html", "vite.config.js", "package.json", "package-lock.json"];

function files(path) {
  if (!statSync(path).isDirectory()) return [path];
  return readdirSync(path).flatMap((name) => files(join(path, name)));
}

// {files: {"src/main.js": sha256, ...}, sha256: sha256 of the lines "<path>\0<sha256>\n" in path order}
export function sourceFingerprint() {
  const hashes = {};
  const paths = SOURCES.flatMap((s) => files(join(WEB, s))).map((p) => relative(WEB, p).split(sep).join("/"));
  for (const path of paths.sort()) hashes[path] = createHash("sha256").update(readFileSync(join(WEB, path))).digest("hex");
  const all = createHash("sha256");
  for (const [path, hash] of Object.entries(hashes)) all.update(`${path}\0${hash}\n`);
  return { sources: SOURCES, files: hashes, sha256: all.digest("hex") };
}

const fingerprint = {
  name: "build-source",
  generateBundle() {
    this.emitFile({
      type: "asset",
      fileName: "build-source.json",
      source: `${JSON.stringify(sourceFingerprint(), null, 2)}\n`,
    });
  },
};

export default defineConfig({
  base: "/dashboard/",
  plugins: [fingerprint],
  build: {
    outDir: "../api/static/dashboard",
    emptyOutDir: true,
    target: "es2020",
    sourcemap: false,
    chunkSizeWarningLimit: 300,
  },
  server: { proxy: { "/graphql": "http://127.0.0.1:8000", "/api": "http://127.0.0.1:8000" } },
});
