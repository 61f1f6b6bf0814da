/**
 * shared/library/undici-pool.ts loads undici's Pool and request() from their files instead of the
 * package index (to keep the Lambda bundles small). These checks fail if a future undici moves or
 * replaces those files, before a bundle that cannot send a request is deployed.
 */
import { execFile } from 'node:child_process';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import * as undici from 'undici';
import { describe, expect, it } from 'vitest';
import { Pool } from '../../../shared/library/undici-pool.ts';

const PROJECT_ROOT = fileURLToPath(new URL('../../../', import.meta.url));

describe('undici Pool loaded without the package index', () => {
  it('is the same Pool class the package index exports', () => {
    expect(Pool).toBe(undici.Pool);
  });

  it('sends a request through a composed dispatcher, as the transport does, in a process that never loads the index', async () => {
    const server = createServer((req, res) => res.end(`${req.method} ${req.url}`));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    // A fresh process: here in vitest, undici's index is already loaded (this file imports it), and it
    // would wire request() onto the prototype itself.
    const script = `
      import { createRequire } from 'node:module';
      import { Pool } from './shared/library/undici-pool.ts';
      const indexLoaded = () => Object.keys(createRequire(import.meta.url).cache).some((p) => /undici[\\/]index\\.js$/.test(p));
      const pool = new Pool('http://127.0.0.1:${port}', { connections: 1 });
      const dispatcher = pool.compose((dispatch) => (opts, handler) => dispatch(opts, handler));
      const response = await dispatcher.request({ method: 'GET', path: '/library/info' });
      console.log(JSON.stringify({ status: response.statusCode, body: await response.body.text(), indexLoaded: indexLoaded() }));
      await pool.close();
    `;
    try {
      const { stdout } = await promisify(execFile)(
        process.execPath,
        ['--import', 'tsx', '--input-type=module', '-e', script],
        { cwd: PROJECT_ROOT },
      );
      expect(JSON.parse(stdout)).toEqual({ status: 200, body: 'GET /library/info', indexLoaded: false });
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
  });
});
