/** Every TypeORM entity, in one list shared by the server, the CLI, the migration generator and tests. */
import { ApiClient } from "../modules/api-clients/api-client.entity.js";
import { User } from "../modules/users/user.entity.js";
import { SystemSecret } from "../modules/system/system-secret.entity.js";

export const ENTITIES = [ApiClient, User, SystemSecret];
