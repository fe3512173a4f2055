import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

const root = fileURLToPath(new URL('.', import.meta.url));
const coreSrc = fileURLToPath(new URL('../core/src/', import.meta.url));
const api = 'http://127.0.0.1:3000';

export default defineConfig({
  root,
  base: '/',
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    // The server's CSP forbids inline scripts; keep every script an external file.
    assetsInlineLimit: 0,
    sourcemap: true,
    rolldownOptions: {
      // The "plugin timings" block (which plugins took longest) is noise in `npm start`'s output.
      checks: { bundlerTimings: false },
      treeshake: {
        // core is pure (conventions: no I/O, no side effects), so the parts of it the client does not
        // use, and the parsers they pull in, stay out of the bundle.
        moduleSideEffects: (id: string) => !id.startsWith(coreSrc),
      },
    },
  },
  server: {
    proxy: {
      '/api': { target: api, changeOrigin: false },
      '/socket.io': { target: api, ws: true, changeOrigin: false },
    },
  },
});
