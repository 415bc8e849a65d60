#!/usr/bin/env node
// The `vk-typed` command (package.json `bin`): `vk-typed <method> key=value ...`.
// See run.ts; `vk-typed --help` lists the flags and exit codes.

import { runCli } from './run.js';

// A reader that stops early (`| head`) closes the pipe: the rest has nowhere to go.
process.stdout.on('error', (error: NodeJS.ErrnoException) => {
  if (error.code !== 'EPIPE') throw error;
});

void runCli(process.argv.slice(2), { env: process.env, stdout: process.stdout, stderr: process.stderr }).then((code) => {
  // An exit code, not process.exit(): output still buffered for a pipe gets written.
  process.exitCode = code;
});
