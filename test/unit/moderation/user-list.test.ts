import { expect } from "chai";
import { containsPattern, decodeUserCursor, encodeUserCursor, UserSortKey } from "../../../src/modules/moderation/user-list.js";
import { ChorusError, ErrorCode } from "../../../src/common/errors.js";

describe("user list rules", () => {
  it("makes a substring pattern with \\ % _ escaped", () => {
    expect(containsPattern("abc")).to.equal("%abc%");
    expect(containsPattern("50%_off")).to.equal("%50\\%\\_off%");
    expect(containsPattern("a\\b")).to.equal("%a\\\\b%");
    expect(containsPattern("")).to.equal("%%");
  });

  it("round-trips a cursor of one sort key and refuses it for the other", () => {
    const c = { sortKey: UserSortKey.DISPLAY_NAME, name: 'Zoë "quoted"', id: "0d3c5a8e-1f2b-4c3d-9e8f-123456789abc" };
    expect(decodeUserCursor(encodeUserCursor(c), UserSortKey.DISPLAY_NAME)).to.deep.equal(c);
    const bad = (v: string, k = UserSortKey.DISPLAY_NAME) => {
      try {
        decodeUserCursor(v, k);
      } catch (e) {
        return e instanceof ChorusError ? e.extensions.code : "other";
      }
      return "accepted";
    };
    expect(bad(encodeUserCursor(c), UserSortKey.USERNAME)).to.equal(ErrorCode.INVALID_CURSOR_VALUE);
    expect(bad("garbage")).to.equal(ErrorCode.INVALID_CURSOR_VALUE);
    expect(bad(Buffer.from(JSON.stringify(["DISPLAY_NAME", "x", "not-a-uuid"])).toString("base64url"))).to.equal(ErrorCode.INVALID_CURSOR_VALUE);
    expect(bad(Buffer.from(JSON.stringify(["DISPLAY_NAME", 3, c.id])).toString("base64url"))).to.equal(ErrorCode.INVALID_CURSOR_VALUE);
  });
});
