import { SignJWT, jwtVerify, errors as joseErrors } from "jose";

/**
 * Short-lived user tokens: a trusted client mints one for one of its users so a browser or chat app can
 * call Chorus directly as that user. HS256 JWTs signed with a secret every replica shares.
 */
export interface UserTokenClaims {
  userId: string;
  apiClientId: string;
  /** The client's `tokenEpoch` at minting: a key rotation raises it, ending the token. */
  clientEpoch: number;
  /** The user's `tokenEpoch` at minting: "logout everywhere" raises it, ending the token. */
  userEpoch: number;
}

export interface VerifiedUserToken extends UserTokenClaims {
  expiresAt: Date;
}

const ISSUER = "chorus";
const AUDIENCE = "chorus-api";

export class UserTokenSigner {
  private readonly key: Uint8Array;

  constructor(secret: string) {
    this.key = new TextEncoder().encode(secret);
  }

  async sign(claims: UserTokenClaims, ttlSeconds: number, now = new Date()): Promise<{ token: string; expiresAt: Date }> {
    const iat = Math.floor(now.getTime() / 1000);
    const exp = iat + ttlSeconds;
    const token = await new SignJWT({ cid: claims.apiClientId, cep: claims.clientEpoch, uep: claims.userEpoch })
      .setProtectedHeader({ alg: "HS256", typ: "JWT" })
      .setSubject(claims.userId)
      .setIssuer(ISSUER)
      .setAudience(AUDIENCE)
      .setIssuedAt(iat)
      .setExpirationTime(exp)
      .sign(this.key);
    return { token, expiresAt: new Date(exp * 1000) };
  }

  /** The claims of a valid token, or null for anything expired, forged or malformed. */
  async verify(token: string): Promise<VerifiedUserToken | null> {
    try {
      const { payload } = await jwtVerify(token, this.key, { issuer: ISSUER, audience: AUDIENCE, algorithms: ["HS256"] });
      if (typeof payload.sub !== "string" || typeof payload.cid !== "string" || typeof payload.exp !== "number") return null;
      const epoch = (v: unknown) => (v === undefined ? 0 : Number.isSafeInteger(v) ? (v as number) : NaN);
      const clientEpoch = epoch(payload.cep);
      const userEpoch = epoch(payload.uep);
      if (Number.isNaN(clientEpoch) || Number.isNaN(userEpoch)) return null;
      return { userId: payload.sub, apiClientId: payload.cid, clientEpoch, userEpoch, expiresAt: new Date(payload.exp * 1000) };
    } catch (err) {
      if (err instanceof joseErrors.JOSEError) return null;
      throw err;
    }
  }
}

export function looksLikeJwt(value: string): boolean {
  return /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/.test(value);
}
