import { expect } from "chai";
import { backendPrompt, backendRequest } from "../src/index.js";

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

describe("backendRequest (a job as a backend is asked for it)", () => {
  const user = { role: "user", content: "Hi" };
  const sampling = { maxNewTokens: 16, temperature: 0.7, topP: 0.9, topK: null, repetitionPenalty: null, seed: 42 };

  it("leaves the protocol's unset sampling values out, so the backend's defaults apply", () => {
    const signal = new AbortController().signal;
    const r = backendRequest({ messages: [user], continueFrom: null, sampling }, signal);
    expect(r).to.deep.equal({
      messages: [user],
      continueFrom: undefined,
      sampling: { maxNewTokens: 16, temperature: 0.7, topP: 0.9, topK: undefined, repetitionPenalty: undefined, seed: 42 },
      signal,
    });
    expect(r.signal).to.equal(signal);
  });

  it("passes set values and continues the one prefix backendPrompt makes", () => {
    const r = backendRequest(
      { messages: [user, { role: "assistant", content: "Once" }], continueFrom: " upon", sampling: { ...sampling, topK: 40, repetitionPenalty: 1.2 } },
      new AbortController().signal,
    );
    expect(r.messages).to.deep.equal([user]);
    expect(r.continueFrom).to.equal("Once upon");
    expect(r.sampling).to.include({ topK: 40, repetitionPenalty: 1.2 });
  });
});
