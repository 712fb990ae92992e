/** Every root resolver class; one line per module. */
import type { NonEmptyArray } from "type-graphql";
import { ApiClientResolver } from "../modules/api-clients/api-client.resolver.js";
import { UserResolver } from "../modules/users/user.resolver.js";
import { SystemResolver } from "../modules/system/system.resolver.js";

// eslint-disable-next-line @typescript-eslint/no-unsafe-function-type
export const RESOLVERS: NonEmptyArray<Function> = [ApiClientResolver, UserResolver, SystemResolver];
