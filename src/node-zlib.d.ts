// The part of node:zlib the Worker uses (nodejs_compat in wrangler.toml gives Workers a native zlib), declared
// here rather than pulling all of Node's types into the Worker's, where they clash with the Workers types.
declare module "node:zlib" {
  export function gzipSync(data: Uint8Array, options?: { level?: number }): Uint8Array;
  export function gunzipSync(data: Uint8Array): Uint8Array;
}
