/**
 * The README stays a page a newcomer reads in five minutes and a map of the guides: short, with the two commands
 * and the test command, linking every guide of docs/; and no link of the README or the guides leads nowhere (a
 * missing file or a heading that was renamed).
 */
import fs from "node:fs";
import path from "node:path";
import { expect } from "chai";

const ROOT = path.resolve(__dirname, "..", "..", "..");
const read = (file: string) => fs.readFileSync(path.join(ROOT, file), "utf8");
const README = read("README.md");
const GUIDES = fs
  .readdirSync(path.join(ROOT, "docs"))
  .filter((f) => f.endsWith(".md"))
  .map((f) => `docs/${f}`);

/** GitHub's anchor of a heading: lower case, punctuation dropped, spaces to hyphens; repeats get -1, -2, ... */
function anchors(markdown: string): Set<string> {
  const seen = new Map<string, number>();
  const out = new Set<string>();
  const prose = markdown.replace(/```[\s\S]*?```/g, "");
  for (const m of prose.matchAll(/^#{1,6}\s+(.+?)\s*$/gm)) {
    const slug = m[1]
      .toLowerCase()
      .replace(/[^\p{L}\p{N}\s_-]/gu, "")
      .replace(/\s/g, "-");
    const n = seen.get(slug) ?? 0;
    seen.set(slug, n + 1);
    out.add(n === 0 ? slug : `${slug}-${n}`);
  }
  return out;
}

/** Relative links `[text](target)` outside code, with the file they are in. */
function links(file: string): { file: string; target: string }[] {
  const prose = read(file)
    .replace(/```[\s\S]*?```/g, "")
    .replace(/`[^`\n]*`/g, "");
  return [...prose.matchAll(/\]\(([^)\s]+)\)/g)].map((m) => ({ file, target: m[1] })).filter((l) => !/^[a-z]+:/.test(l.target));
}

describe("README.md and the guides", () => {
  it("the README is under 150 lines", () => {
    expect(README.split("\n").length).to.be.lessThan(150);
  });

  it("the README gives the two commands and the test command", () => {
    const bash = [...README.matchAll(/```bash\n([\s\S]*?)```/g)].map((m) => m[1].trim());
    expect(bash).to.include("npm install\nnpm start");
    expect(bash).to.include("npm test");
  });

  it("the README links every guide of docs/", () => {
    const linked = new Set(links("README.md").map((l) => l.target.split("#")[0]));
    expect(GUIDES.filter((g) => !linked.has(g))).to.deep.equal([]);
  });

  it("every relative link of the README and the guides leads to a file, and to a heading of it when it names one", () => {
    const broken: string[] = [];
    for (const { file, target } of [...links("README.md"), ...GUIDES.flatMap(links)]) {
      const [pathPart, anchor] = target.split("#");
      const resolved = pathPart === "" ? file : path.normalize(path.join(path.dirname(file), pathPart));
      if (!fs.existsSync(path.join(ROOT, resolved))) {
        broken.push(`${file}: ${target} (no ${resolved})`);
        continue;
      }
      if (anchor !== undefined && resolved.endsWith(".md") && !anchors(read(resolved)).has(anchor)) broken.push(`${file}: ${target} (no heading #${anchor})`);
    }
    expect(broken).to.deep.equal([]);
  });

  it("finds headings and links as GitHub does (the checker itself)", () => {
    expect([...anchors("# A b\n## Keys and roles (CLI)\n## Stats, leaderboards and the troll board\n## A b\n```\n# not a heading\n```")]).to.deep.equal([
      "a-b",
      "keys-and-roles-cli",
      "stats-leaderboards-and-the-troll-board",
      "a-b-1",
    ]);
    expect(links("README.md").length).to.be.greaterThan(10);
  });
});
