/** Package version recorded in every file. */
export const VERSION = '0.0.0';
