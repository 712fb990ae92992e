import { expect } from "chai";
import { estimateTokens, fitToContext, type Turn } from "../../../src/modules/chat/generation/context-window.js";

const words = (text: string) => text.split(" ").filter(Boolean).length;
const limits = (maxInputTokens: number) => ({ maxInputTokens, countTokens: words });
const turn = (role: string, content: string): Turn => ({ role, content });

describe("chat context window: cutting long chats from the oldest turns", () => {
  const turns = [
    turn("user", "one two three"),
    turn("assistant", "four five"),
    turn("user", "six seven eight nine"),
    turn("assistant", "ten"),
    turn("user", "eleven twelve"),
  ];

  it("keeps everything that fits, system prompt first", () => {
    expect(fitToContext("be kind", turns, limits(100))).to.deep.equal([turn("system", "be kind"), ...turns]);
    expect(fitToContext(null, turns, limits(14))).to.deep.equal(turns);
  });

  it("drops whole turns from the oldest until the rest fits, keeping the system prompt", () => {
    // system 2 + last three turns (4 + 1 + 2 = 7) = 9; the turn before (2) would make 11
    expect(fitToContext("be kind", turns, limits(10))).to.deep.equal([turn("system", "be kind"), turns[2], turns[3], turns[4]]);
    expect(fitToContext("be kind", turns, limits(9))).to.deep.equal([turn("system", "be kind"), turns[2], turns[3], turns[4]]);
    expect(fitToContext("be kind", turns, limits(8))).to.deep.equal([turn("system", "be kind"), turns[3], turns[4]]);
  });

  it("never skips a turn to fit an older one: the kept turns are the newest, contiguous", () => {
    const t = [turn("user", "a"), turn("assistant", "b c d e f"), turn("user", "g")];
    expect(fitToContext(null, t, limits(3))).to.deep.equal([t[2]]);
  });

  it("keeps the last turn even when it alone is over the limit", () => {
    expect(fitToContext("sys", turns, limits(1))).to.deep.equal([turn("system", "sys"), turns[4]]);
    expect(fitToContext(null, [turn("user", "a b c d e")], limits(2))).to.deep.equal([turn("user", "a b c d e")]);
  });

  it("returns only the system prompt for an empty thread", () => {
    expect(fitToContext("sys", [], limits(5))).to.deep.equal([turn("system", "sys")]);
    expect(fitToContext(null, [], limits(5))).to.deep.equal([]);
  });

  it("estimates tokens from characters (code points), rounding up", () => {
    expect(estimateTokens("", 4)).to.equal(0);
    expect(estimateTokens("abcd", 4)).to.equal(1);
    expect(estimateTokens("abcde", 4)).to.equal(2);
    expect(estimateTokens("😀😀😀😀", 4)).to.equal(1);
    expect(estimateTokens("abc", 1)).to.equal(3);
  });
});
