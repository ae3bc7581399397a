export type { CommandContext, Streams } from './commonOptions.js';
export { createProgram, main } from './main.js';
export { EXIT, type ExitCode, exitCodeOf, reportError } from './reportError.js';
export { formatRecord, formatTable, type Output, print, progressReporter } from './terminal.js';
