/** Every migration, oldest first. Generated files are added here by hand after review. */
import { Init1795614103741 } from "./1795614103741-Init.js";
import { TreesAndTasks1795615359684 } from "./1795615359684-TreesAndTasks.js";
import { Chat1795617494458 } from "./1795617494458-Chat.js";
import { TrollStats1795621279567 } from "./1795621279567-TrollStats.js";

// eslint-disable-next-line @typescript-eslint/no-unsafe-function-type
export const MIGRATIONS: Function[] = [Init1795614103741, TreesAndTasks1795615359684, Chat1795617494458, TrollStats1795621279567];
