import { expect } from "chai";
import { CONFIG_VARIABLES, loadConfig } from "../../src/config/index.js";
import { maskUrl } from "../../src/config/mask.js";
import { fullSettings } from "../../src/config/settings.js";
import { TREE_MANAGER_VARIABLES } from "../../src/config/tree-manager.js";

describe("admin settings (spec §7.2 backend_settings/full)", () => {
  const secret = "a-very-secret-signing-key-of-32-chars!";
  const config = loadConfig({
    DATABASE_URL: "postgres://chorus:db-password@db:5432/chorus",
    REDIS_URL: "redis://:redis-password@cache:6379",
    USER_TOKEN_SECRET: secret,
    RATE_LIMIT_TASK_USER: "5/60",
    TREE_MANAGER__INIT_PROMPT_DISABLED_LANGS: "de,fr",
  });
  const settings = fullSettings(config);
  const byName = new Map(settings.map((s) => [s.name, s]));

  it("lists every configuration and tree-manager variable once", () => {
    expect(settings.map((s) => s.name)).to.deep.equal([...CONFIG_VARIABLES, ...TREE_MANAGER_VARIABLES]);
  });

  it("never shows a secret or a password, only whether one is set", () => {
    expect(byName.get("USER_TOKEN_SECRET")).to.deep.equal({ name: "USER_TOKEN_SECRET", value: null, secret: true, isSet: true });
    const text = JSON.stringify(settings);
    for (const hidden of [secret, "db-password", "redis-password"]) expect(text).to.not.contain(hidden);
    expect(byName.get("DATABASE_URL")!.value).to.equal("postgres://chorus:***@db:5432/chorus");
    expect(fullSettings(loadConfig({})).find((s) => s.name === "USER_TOKEN_SECRET")).to.include({ value: null, isSet: false });
  });

  it("renders effective values, defaults included", () => {
    expect(byName.get("RATE_LIMIT_TASK_USER")!.value).to.equal("5/60");
    expect(byName.get("RATE_LIMIT_TASK_API_CLIENT")!.value).to.equal("10000/60");
    expect(byName.get("TREE_MANAGER__INIT_PROMPT_DISABLED_LANGS")!.value).to.equal("de,fr");
    expect(byName.get("RANDOM_SEED")).to.include({ value: null, isSet: false });
    expect(maskUrl("not a url")).to.equal("***");
    expect(maskUrl("redis://cache:6379")).to.equal("redis://cache:6379");
  });
});
