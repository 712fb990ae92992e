/** Every migration, oldest first. Generated files are added here by hand after review. */
import { Init1795614103741 } from "./1795614103741-Init.js";

// eslint-disable-next-line @typescript-eslint/no-unsafe-function-type
export const MIGRATIONS: Function[] = [Init1795614103741];
