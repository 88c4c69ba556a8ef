#!/usr/bin/env node
// The tf-conductor command. A committed entry point (not the build output itself), so package
// managers can link the command before the package is built.
import { main } from '../dist/cli.js';

main().then(
  (code) => process.exit(code),
  (error) => {
    process.stderr.write(`tf-conductor: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(1);
  },
);
