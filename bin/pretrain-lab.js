#!/usr/bin/env node
// The pretrain-lab command: registers tsx (TypeScript sources run as they are) and runs the CLI.
import { register } from 'tsx/esm/api';

register();
const { main } = await import('../src/cli/main.ts');
process.exitCode = await main(process.argv);
