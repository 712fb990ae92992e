/**
 * Suites that need a program the machine may lack (initdb, redis-server, chromium). On a developer's machine a
 * missing one skips the suite and says why; on CI (`CI=true`, which .ci/run exports) it fails, so a broken CI image
 * can never turn those tests into silent passes.
 */
export function onCi(): boolean {
  return /^(1|true|yes)$/i.test(process.env.CI ?? "");
}

export function describeNeeding(missing: string[], title: string, fn: (this: Mocha.Suite) => void): void {
  if (missing.length === 0) {
    describe(title, fn);
  } else if (onCi()) {
    describe(title, () => {
      it(`has what it needs: ${missing.join(", ")}`, () => {
        throw new Error(`missing on CI (CI=true): ${missing.join(", ")}; .ci/run installs them`);
      });
    });
  } else {
    describe.skip(`${title} (skipped: ${missing.join(", ")} missing)`, fn);
  }
}
