// Types for test/http/raw-http.mjs.
export interface RawAnswer {
  status: number;
  head: string;
  body: string;
}

export declare function rawRequest(request: {
  port: number;
  method: string;
  path: string;
  headers?: Record<string, string>;
  body?: string;
  boundMs?: number;
}): Promise<RawAnswer>;
