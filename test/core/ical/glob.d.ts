// Vite's import.meta.glob, as the escape test uses it: every fixture file bundled as a string
// (vite/client's own types would clash with test/helpers/raw.d.ts).
interface ImportMeta {
  glob<T>(pattern: string, options: { query: "?raw"; import: "default"; eager: true }): Record<string, T>;
}
