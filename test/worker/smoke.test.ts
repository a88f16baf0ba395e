import { describe, expect, it } from "vitest";
import { createUser, dav, multistatus, propfindBody } from "../helpers/dav-client.js";

describe("smoke", () => {
  it("answers PROPFIND on the root with current-user-principal (RFC 5397)", async () => {
    const alice = await createUser("alice");
    const res = await dav("PROPFIND", "/", { as: alice, headers: { Depth: "0" }, body: propfindBody(["D:current-user-principal"]) });
    const ms = await multistatus(res);
    expect(ms.get("/")!.props.get("{DAV:}current-user-principal")!.status).toBe(200);
  });
});
