// One server for the whole browser suite, started the README's way
// (`wrangler dev` with an admin token, through test/http/server.ts) on free
// ports with fresh state; every test file reaches it through inject("web").
import type { TestProject } from "vitest/node";
import { startServer } from "../http/server.js";
import { requireChromium } from "./node.mjs";

declare module "vitest" {
  export interface ProvidedContext {
    web: { url: string; adminToken: string };
  }
}

export default async function setup(project: TestProject) {
  requireChromium();
  const server = await startServer();
  project.provide("web", { url: server.url, adminToken: server.adminToken ?? "" });
  return async () => {
    await server.stop();
  };
}
