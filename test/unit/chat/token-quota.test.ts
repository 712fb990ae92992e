import { expect } from "chai";
import { quotaDecision } from "../../../src/modules/chat/token-quota.js";

const now = new Date("2026-01-01T12:00:00Z");
const ago = (s: number) => new Date(now.getTime() - s * 1000);

describe("chat token quota (sliding window over stored answers)", () => {
  it("allows while the window's tokens are under the limit, and says what remains", () => {
    expect(quotaDecision(100, 3600, now, [])).to.deep.equal({ allowed: true, used: 0, remaining: 100 });
    expect(
      quotaDecision(100, 3600, now, [
        { at: ago(10), tokens: 40 },
        { at: ago(20), tokens: 59 },
      ]),
    ).to.deep.equal({ allowed: true, used: 99, remaining: 1 });
  });

  it("refuses at the limit, naming when enough old usage ages out", () => {
    const d = quotaDecision(100, 3600, now, [
      { at: ago(100), tokens: 30 },
      { at: ago(3000), tokens: 50 },
      { at: ago(1000), tokens: 20 },
    ]);
    // 100 used; the oldest (50, 3000 s ago) leaves the window in 600 s, leaving 50 < 100
    expect(d).to.deep.equal({ allowed: false, used: 100, resetsAt: new Date(ago(3000).getTime() + 3600_000) });
  });

  it("waits for as many old answers as it takes to get under the limit", () => {
    const d = quotaDecision(50, 3600, now, [
      { at: ago(3500), tokens: 10 },
      { at: ago(3000), tokens: 10 },
      { at: ago(60), tokens: 60 },
    ]);
    // 80 used: dropping the two old ones leaves 60, still over; only the newest ageing out gets under 50
    expect(d.allowed).to.equal(false);
    if (!d.allowed) expect(d.resetsAt).to.deep.equal(new Date(ago(60).getTime() + 3600_000));
  });

  it("ignores answers outside the window and empty ones", () => {
    expect(
      quotaDecision(10, 60, now, [
        { at: ago(61), tokens: 500 },
        { at: ago(60), tokens: 500 },
        { at: ago(1), tokens: 0 },
      ]),
    ).to.deep.equal({
      allowed: true,
      used: 0,
      remaining: 10,
    });
  });
});
