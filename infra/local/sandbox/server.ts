/**
 * The HTTP server: routes every request to the API (`/v2`), the admin API (`/__sandbox`) or the hosted
 * files (`/sandbox-files`), and applies, for API requests, the gateway's checks and the injected faults.
 *
 * Order for an API request, like the vendor's gateway in front of the library:
 *   1. fault draw (reset before body and hang happen here: the request is never processed);
 *   2. api_key known? (401) → per-key limits (403 mashery…) → token (401) → privileges (403) → Accept (406);
 *   3. route (404/405) → injected 500/503 → the route's handler;
 *   4. reset after body (the handler HAS acted: an upload is stored) or latency, then the answer.
 * Throttled, unauthorized and faulted requests are all counted, by operation and outcome.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import { handleAdmin } from './admin.ts';
import { acceptsJson, checkCredentials } from './auth.ts';
import type { SandboxControl } from './control.ts';
import { ERROR_KEYS, apiError } from './error-bodies.ts';
import type { FaultDecision } from './faults.ts';
import { serveHostedFile } from './hosted-files.ts';
import { NO_RESPONSE, drain, writeResponse, type ApiResponse, type RouteResult } from './http-io.ts';
import type { SandboxEndpoint } from './options.ts';
import { matchRoute } from './router.ts';
import { ROUTES } from './routes/index.ts';
import type { SandboxState } from './state.ts';

/** The listening HTTP server. */
export interface RunningServer {
  server: Server;
  port: number;
  /** Stops listening, drops every open connection (hung ones included) and pending delays. */
  close(): Promise<void>;
}

/** Serves the API, the admin API and the hosted files on 127.0.0.1. */
export async function listen(state: SandboxState, control: SandboxControl, port: number): Promise<RunningServer> {
  const sockets = new Set<Socket>();
  const shutdown = new AbortController();
  const server = createServer((req, res) => {
    void dispatch(req, res, state, control, shutdown.signal).catch(() => {
      if (!res.headersSent)
        writeResponse(res, { status: 500, body: [apiError(ERROR_KEYS.internalServerError, 'Internal server error.')] });
      else res.destroy();
    });
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('sandbox server has no TCP address');

  let closing: Promise<void> | undefined;
  return {
    server,
    port: address.port,
    close() {
      closing ??= new Promise<void>((resolve) => {
        shutdown.abort();
        server.close(() => resolve());
        server.closeAllConnections();
        for (const socket of sockets) socket.destroy();
      });
      return closing;
    },
  };
}

async function dispatch(
  req: IncomingMessage,
  res: ServerResponse,
  state: SandboxState,
  control: SandboxControl,
  shutdown: AbortSignal,
): Promise<void> {
  const url = new URL(req.url ?? '/', state.origin);
  if (url.pathname === '/__sandbox' || url.pathname.startsWith('/__sandbox/'))
    return handleAdmin(req, res, url, control);
  if (url.pathname.startsWith('/sandbox-files/') && req.method === 'GET') return serveHostedFile(res, url, state);
  if (url.pathname !== '/v2' && !url.pathname.startsWith('/v2/')) {
    await drain(req);
    return writeResponse(res, {
      status: 404,
      body: [apiError(ERROR_KEYS.notFound, 'The supplied url was not found.')],
    });
  }
  return handleApi(req, res, url, state, shutdown);
}

async function handleApi(
  req: IncomingMessage,
  res: ServerResponse,
  url: URL,
  state: SandboxState,
  shutdown: AbortSignal,
): Promise<void> {
  const match = matchRoute(ROUTES, req.method ?? 'GET', url.pathname.slice('/v2'.length));
  const endpoint: SandboxEndpoint = match.kind === 'found' ? match.route.endpoint : 'unknown';
  const fault = state.faults.decide(endpoint, state.settings.faults);
  const { counters } = state;

  if (fault.kind === 'reset-before-body') {
    counters.fault('resetBeforeBody');
    counters.count(endpoint, 'reset');
    req.socket.destroy();
    return;
  }
  if (fault.kind === 'hang') {
    // Read the body (so the client believes its request went through) and never answer.
    counters.fault('hang');
    counters.count(endpoint, 'hang');
    req.resume();
    return;
  }

  const result = await answer(req, url, state, match, fault);
  if (result === NO_RESPONSE) {
    counters.count(endpoint, 'aborted');
    return;
  }
  if (fault.kind === 'reset-after-body') {
    await drain(req);
    counters.fault('resetAfterBody');
    counters.count(endpoint, 'reset');
    req.socket.destroy();
    return;
  }
  const latency = state.settings.faults.latencyMs;
  if (latency > 0 && !(await delay(latency, shutdown))) return;
  counters.count(endpoint, result.status);
  await drain(req);
  writeResponse(res, result);
}

async function answer(
  req: IncomingMessage,
  url: URL,
  state: SandboxState,
  match: ReturnType<typeof matchRoute>,
  fault: FaultDecision,
): Promise<RouteResult> {
  const early = async (response: ApiResponse): Promise<ApiResponse> => {
    await drain(req);
    return response;
  };
  const { settings } = state;
  const identity = checkCredentials(url, req.headers, settings.credentials);
  if (!identity.known) return early(unauthorized('api_key is missing or not valid.'));
  const charge = state.limiter.take(identity.apiKey, state.clock.now(), settings.limits);
  if (!charge.ok) {
    state.counters.throttled(charge.scope);
    return early({
      status: 403,
      body: [
        charge.scope === 'second'
          ? apiError(ERROR_KEYS.overQps, 'Account Over Queries Per Second Limit')
          : apiError(ERROR_KEYS.overRateLimit, 'Account Over Rate Limit'),
      ],
    });
  }
  if (!identity.tokenMatches) return early(unauthorized('The access token is missing, not valid or revoked.'));
  if (identity.forbidden)
    return early({
      status: 403,
      body: [apiError(ERROR_KEYS.forbidden, 'The account does not have the privileges for this request.')],
    });
  if (!acceptsJson(req.headers.accept)) {
    return early({
      status: 406,
      body: [apiError(ERROR_KEYS.notAcceptable, 'Unsupported Accept Header value, must be application/json.')],
    });
  }
  if (match.kind === 'not-found')
    return early({ status: 404, body: [apiError(ERROR_KEYS.notFound, 'The supplied url was not found.')] });
  if (match.kind === 'method-not-allowed') {
    return early({
      status: 405,
      body: [apiError(ERROR_KEYS.methodNotAllowed, `Method ${req.method} is not allowed here.`)],
    });
  }
  if (fault.kind === 'server-error') {
    state.counters.fault('serverError');
    return early(
      fault.status === 500
        ? { status: 500, body: [apiError(ERROR_KEYS.internalServerError, 'Internal server error occurred.')] }
        : { status: 503, body: [apiError(ERROR_KEYS.serviceUnavailable, 'Service temporarily unavailable.')] },
    );
  }
  try {
    return await match.route.handle({ req, url, params: match.params, state });
  } catch {
    return early({ status: 500, body: [apiError(ERROR_KEYS.internalServerError, 'Internal server error occurred.')] });
  }
}

function unauthorized(message: string): ApiResponse {
  return { status: 401, body: [apiError(ERROR_KEYS.unauthorized, message)] };
}

/** Resolves true after `ms`, or false at once when the sandbox is closing. */
function delay(ms: number, shutdown: AbortSignal): Promise<boolean> {
  if (shutdown.aborted) return Promise.resolve(false);
  return new Promise((resolve) => {
    const onAbort = (): void => {
      clearTimeout(timer);
      resolve(false);
    };
    const timer = setTimeout(() => {
      shutdown.removeEventListener('abort', onAbort);
      resolve(true);
    }, ms);
    shutdown.addEventListener('abort', onAbort, { once: true });
  });
}
