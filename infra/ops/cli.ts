/**
 * `npm run ops -- <command> [options]` (and the package's `library-upload-ops` bin): the operator
 * tool. See docs/operations.md.
 */
import { runOps } from './program.ts';

process.exitCode = await runOps(process.argv.slice(2));
