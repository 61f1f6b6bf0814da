/**
 * The API's route table: method + path (below `/v2`) → operation name and handler. Paths are exactly
 * the vendor's; the operation names are the ones counters and fault filters use.
 */
import type { IncomingMessage } from 'node:http';
import type { RouteResult } from './http-io.ts';
import type { SandboxEndpoint } from './options.ts';
import type { SandboxState } from './state.ts';

/** What a route handler gets: the request, its URL and path parameters, the sandbox state. */
export interface RouteContext {
  req: IncomingMessage;
  url: URL;
  /** Decoded path parameters, in order. */
  params: string[];
  state: SandboxState;
}

/** Answers one API operation. */
export type RouteHandler = (context: RouteContext) => Promise<RouteResult>;

/** An operation's method, path pattern and handler. */
export interface Route {
  method: string;
  /** Matched against the path below /v2; capture groups become `params`. */
  pattern: RegExp;
  endpoint: SandboxEndpoint;
  handle: RouteHandler;
}

/** The route a request matched with its path parameters, or why none did (405, 404). */
export type RouteMatch =
  | { kind: 'found'; route: Route; params: string[] }
  | { kind: 'method-not-allowed'; endpoint: SandboxEndpoint }
  | { kind: 'not-found' };

/** Finds the route for a method and path. */
export function matchRoute(routes: readonly Route[], method: string, path: string): RouteMatch {
  let pathMatched: Route | undefined;
  for (const route of routes) {
    const match = route.pattern.exec(path);
    if (match === null) continue;
    if (route.method === method) {
      try {
        return { kind: 'found', route, params: match.slice(1).map((param) => decodeURIComponent(param ?? '')) };
      } catch {
        return { kind: 'not-found' };
      }
    }
    pathMatched ??= route;
  }
  return pathMatched === undefined
    ? { kind: 'not-found' }
    : { kind: 'method-not-allowed', endpoint: pathMatched.endpoint };
}
