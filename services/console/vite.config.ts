import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

// The API serves dist/ at /console/ (same origin as /v1, so the session cookie and CSP 'self' cover both).
// Everything is emitted as files: the Content-Security-Policy allows no inline script or style.
export default defineConfig({
  base: '/console/',
  plugins: [react()],
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    // A data: URI would need img-src/font-src data:; files keep the policy at 'self'.
    assetsInlineLimit: 0,
    chunkSizeWarningLimit: 1500,
  },
});
