import { expect } from "chai";
import {
  judgeIdentity,
  WS_CLOSE_FORBIDDEN,
  WS_CLOSE_UNAUTHENTICATED,
  type ClientState,
  type HeldIdentity,
  type UserState,
} from "../../src/server/identity-verdict.js";
import { Role } from "../../src/modules/users/role.js";

const NOW = new Date("2027-01-01T12:00:00Z");
const later = new Date(NOW.getTime() + 60_000);
const earlier = new Date(NOW.getTime() - 1);

const client = (over: Partial<ClientState> = {}): ClientState => ({
  id: "c1",
  keyHash: "h1",
  enabled: true,
  revokedAt: null,
  expiresAt: null,
  tokenEpoch: 3,
  trusted: true,
  role: Role.USER,
  ...over,
});
const user = (over: Partial<UserState> = {}): UserState => ({
  id: "u1",
  apiClientId: "c1",
  enabled: true,
  deleted: false,
  tokenEpoch: 5,
  role: Role.MODERATOR,
  ...over,
});
const byKey = (over: Partial<HeldIdentity> = {}): HeldIdentity => ({
  via: "api-key",
  apiClientId: "c1",
  keyHash: "h1",
  token: null,
  userId: "u1",
  role: Role.MODERATOR,
  ...over,
});
const byToken = (over: Partial<HeldIdentity> = {}): HeldIdentity => ({
  via: "user-token",
  apiClientId: "c1",
  keyHash: null,
  token: { clientEpoch: 3, userEpoch: 5, expiresAt: later },
  userId: "u1",
  role: Role.MODERATOR,
  ...over,
});

function closeCode(held: HeldIdentity, c: ClientState | null, u: UserState | null): number | "ok" {
  const v = judgeIdentity(held, c, u, NOW);
  return v.ok ? "ok" : v.closeCode;
}

describe("identity verdict for open connections (judgeIdentity)", () => {
  it("keeps a connection whose client, key, token and user are as they were", () => {
    expect(judgeIdentity(byKey(), client(), user(), NOW)).to.deep.equal({ ok: true, role: Role.MODERATOR });
    expect(judgeIdentity(byToken(), client(), user(), NOW)).to.deep.equal({ ok: true, role: Role.MODERATOR });
    expect(judgeIdentity(byKey({ userId: null, role: Role.USER }), client(), null, NOW)).to.deep.equal({ ok: true, role: Role.USER });
  });

  it("closes with 4401 when the credentials no longer authenticate", () => {
    expect(closeCode(byKey(), null, user())).to.equal(WS_CLOSE_UNAUTHENTICATED);
    expect(closeCode(byKey(), client({ revokedAt: earlier, enabled: false }), user())).to.equal(WS_CLOSE_UNAUTHENTICATED);
    expect(closeCode(byKey(), client({ enabled: false }), user())).to.equal(WS_CLOSE_UNAUTHENTICATED);
    expect(closeCode(byKey(), client({ expiresAt: NOW }), user())).to.equal(WS_CLOSE_UNAUTHENTICATED);
    expect(closeCode(byKey(), client({ keyHash: "h2" }), user()), "rotated key").to.equal(WS_CLOSE_UNAUTHENTICATED);
    expect(closeCode(byToken(), client({ tokenEpoch: 4 }), user()), "client's key rotated").to.equal(WS_CLOSE_UNAUTHENTICATED);
    expect(closeCode(byToken(), client(), user({ tokenEpoch: 6 })), "logout everywhere").to.equal(WS_CLOSE_UNAUTHENTICATED);
    expect(closeCode(byToken({ token: { clientEpoch: 3, userEpoch: 5, expiresAt: NOW } }), client(), user()), "expired").to.equal(WS_CLOSE_UNAUTHENTICATED);
    expect(closeCode(byToken(), client(), null), "user gone (merged away)").to.equal(WS_CLOSE_UNAUTHENTICATED);
    expect(closeCode(byToken(), client(), user({ apiClientId: "c2" }))).to.equal(WS_CLOSE_UNAUTHENTICATED);
  });

  it("a key rotation does not end connections of the new key, nor a token epoch rise the key's connections", () => {
    expect(closeCode(byKey(), client({ tokenEpoch: 9 }), user({ tokenEpoch: 9 }))).to.equal("ok");
  });

  it("closes with 4403 for disabled, deleted and banned users", () => {
    expect(closeCode(byKey(), client(), user({ enabled: false }))).to.equal(WS_CLOSE_FORBIDDEN);
    expect(closeCode(byKey(), client(), user({ deleted: true }))).to.equal(WS_CLOSE_FORBIDDEN);
    expect(closeCode(byToken(), client(), user({ deleted: true, enabled: false }))).to.equal(WS_CLOSE_FORBIDDEN);
  });

  it("closes with 4403 when the role drops, and keeps the connection (with the new role) when it rises", () => {
    expect(closeCode(byKey(), client(), user({ role: Role.USER }))).to.equal(WS_CLOSE_FORBIDDEN);
    expect(judgeIdentity(byKey(), client(), user({ role: Role.ADMIN }), NOW)).to.deep.equal({ ok: true, role: Role.ADMIN });
    // an untrusted client acting for a user has USER powers whatever the user's role: nothing to drop
    expect(judgeIdentity(byKey({ role: Role.USER }), client({ trusted: false }), user({ role: Role.USER }), NOW)).to.deep.equal({ ok: true, role: Role.USER });
  });
});
