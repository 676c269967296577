// `npm run build` writes the dashboard into api/static/dashboard/ (committed: `make run` needs no npm).
// The page is served at `/` by api/dashboard.py and its files under /dashboard/.
import { defineConfig } from "vite";

export default defineConfig({
  base: "/dashboard/",
  build: {
    outDir: "../api/static/dashboard",
    emptyOutDir: true,
    target: "es2020",
    sourcemap: false,
    chunkSizeWarningLimit: 300,
  },
  server: { proxy: { "/graphql": "http://127.0.0.1:8000", "/api": "http://127.0.0.1:8000" } },
});
