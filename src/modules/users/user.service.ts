import type { DataSource, EntityManager } from "typeorm";
import { User } from "./user.entity.js";
import { Role } from "./role.js";
import type { UserRef } from "./user-ref.js";
import { badInput, ChorusError, ErrorCode, notFound } from "../../server/errors.js";
import { isUuid } from "../../db/rows.js";

export class UserService {
  constructor(private readonly ds: DataSource) {}

  /**
   * The user (auth method, id) of one API client, created on first sight. A non-empty display name that differs
   * from the stored one replaces it (as the reference does). Safe under concurrency: the unique index decides.
   */
  async findOrCreate(apiClientId: string, ref: UserRef, manager: EntityManager = this.ds.manager): Promise<User> {
    const repo = manager.getRepository(User);
    const wantedName = ref.displayName?.trim() || null;
    const existing = await repo.findOneBy({ apiClientId, username: ref.id, authMethod: ref.authMethod });
    if (existing && (!wantedName || wantedName === existing.displayName)) return existing;
    const rows: Record<string, unknown>[] = await manager.query(
      `INSERT INTO "user" (api_client_id, username, auth_method, display_name)
       VALUES ($1, $2, $3, $4)
       ON CONFLICT (api_client_id, username, auth_method) DO UPDATE
         SET display_name = CASE WHEN $5::text IS NULL THEN "user".display_name ELSE EXCLUDED.display_name END
       RETURNING id`,
      [apiClientId, ref.id, ref.authMethod, wantedName ?? ref.id, wantedName],
    );
    return repo.findOneByOrFail({ id: rows[0].id as string });
  }

  /** The user; NOT_FOUND when missing or (with `apiClientId`) of another client. */
  async get(id: string, apiClientId: string | null = null): Promise<User> {
    const user = isUuid(id) ? await this.ds.getRepository(User).findOneBy(apiClientId ? { id, apiClientId } : { id }) : null;
    if (!user) throw notFound("User", id);
    return user;
  }

  /** The user of one client by (auth method, frontend id), exactly; USER_NOT_FOUND when missing. Creates nothing. */
  async getByUsername(apiClientId: string, authMethod: string, username: string): Promise<User> {
    if (authMethod.length < 1 || authMethod.length > 128) throw badInput("authMethod must be 1-128 characters", { field: "authMethod" });
    if (username.length < 1 || username.length > 128) throw badInput("username must be 1-128 characters", { field: "username" });
    const user = isUuid(apiClientId) ? await this.ds.getRepository(User).findOneBy({ apiClientId, authMethod, username }) : null;
    if (!user) throw new ChorusError(ErrorCode.USER_NOT_FOUND, `No user ${authMethod}:${username} in that client`);
    return user;
  }

  async findByIds(ids: readonly string[]): Promise<User[]> {
    if (ids.length === 0) return [];
    return this.ds.getRepository(User).createQueryBuilder("u").where("u.id = ANY(:ids)", { ids }).getMany();
  }

  /** Sets the role; with `apiClientId` only a user of that client (NOT_FOUND for others). */
  async setRole(id: string, role: Role, apiClientId: string | null = null): Promise<User> {
    const user = await this.get(id, apiClientId);
    user.role = role;
    return this.ds.getRepository(User).save(user);
  }

  /** Users matching (auth method, id) across every API client: for the CLI, which has no client of its own. */
  async findEverywhere(authMethod: string, username: string, apiClientId?: string): Promise<User[]> {
    const where: Record<string, string> = { authMethod, username };
    if (apiClientId) where.apiClientId = apiClientId;
    return this.ds.getRepository(User).findBy(where);
  }
}
