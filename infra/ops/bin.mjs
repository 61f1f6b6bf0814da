#!/usr/bin/env node
// The package's `bin`: loads the TypeScript tool through tsx, as `npm run ops` does.
import { register } from 'tsx/esm/api';

register();
await import('./cli.ts');
