import { defineConfig } from "vite";

// The build is embedded into the cairn binary (src/server/web/): one page,
// hashed assets under /assets/, nothing inline (the page's CSP allows only
// 'self' scripts). `npm run dev` proxies the API to a local `cairn serve`.
export default defineConfig({
  base: "/",
  esbuild: { jsx: "automatic", jsxImportSource: "preact" },
  build: {
    target: "es2020",
    assetsInlineLimit: 0,
    modulePreload: { polyfill: false },
    // The lineage page's graph libraries are a chunk of their own, loaded
    // when that page opens, so search renders without them.
    chunkSizeWarningLimit: 2000,
  },
  server: {
    proxy: { "/api": process.env.CAIRN_URL ?? "http://127.0.0.1:8080" },
  },
});
