import react from "@vitejs/plugin-react";
import { defineConfig } from "vite";

/** The dashboard builds into dist/web, where `glidepath serve` finds it; `vite` alone proxies the API of a server on :8080. */
export default defineConfig({
  root: import.meta.dirname,
  plugins: [react()],
  build: { outDir: "../dist/web", emptyOutDir: true, chunkSizeWarningLimit: 1500 },
  server: { proxy: { "/api": "http://127.0.0.1:8080" } },
});
