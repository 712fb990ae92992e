import { expect } from "chai";
import { backendPrompt } from "../src/index.js";

describe("backendPrompt (what a backend continues)", () => {
  const user = { role: "user", content: "Hi" };

  it("leaves a fresh job alone", () => {
    expect(backendPrompt([user], null)).to.deep.equal({ messages: [user], prefix: "" });
  });

  it("continues a taken-over job after the text already streamed", () => {
    expect(backendPrompt([user], "Hel")).to.deep.equal({ messages: [user], prefix: "Hel" });
  });

  it("turns a continued answer (trailing assistant turn) into the prefix", () => {
    const r = backendPrompt([user, { role: "assistant", content: "Once upon" }], null);
    expect(r).to.deep.equal({ messages: [user], prefix: "Once upon" });
  });

  it("joins a continued answer and what a failed worker streamed after it, in that order", () => {
    const r = backendPrompt([user, { role: "assistant", content: "Once upon" }], " a time");
    expect(r).to.deep.equal({ messages: [user], prefix: "Once upon a time" });
  });
});
