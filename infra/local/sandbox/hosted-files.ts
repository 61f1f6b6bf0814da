/**
 * The "hosted" side: `<origin>/sandbox-files/<id>/<name>` serves a file's bytes (when kept), like the
 * library's image host serves the url of a file record. Public, as the vendor's hosted URLs are.
 */
import type { ServerResponse } from 'node:http';
import type { SandboxState } from './state.ts';

/** A 1x1 transparent PNG, standing in for the vendor's generic document thumbnail. */
const DOCUMENT_ICON = Buffer.from(
  'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==',
  'base64',
);

const CONTENT_TYPES: Readonly<Record<string, string>> = {
  PNG: 'image/png',
  JPG: 'image/jpeg',
  JPEG: 'image/jpeg',
  GIF: 'image/gif',
  PDF: 'application/pdf',
};

/** Serves a file's kept bytes (or the document icon) at its hosted URL, as the vendor's file host would. */
export function serveHostedFile(res: ServerResponse, url: URL, state: SandboxState): void {
  const parts = url.pathname.split('/').filter((part) => part !== '');
  if (parts[1] === 'icons') return send(res, 200, 'image/png', DOCUMENT_ICON);
  const file = state.store.get(parts[1] ?? '');
  if (file?.bytes === undefined) return send(res, 404, 'text/plain', Buffer.from('Not found'));
  send(res, 200, CONTENT_TYPES[file.fileType] ?? file.contentType, file.bytes);
}

function send(res: ServerResponse, status: number, contentType: string, body: Buffer): void {
  res.writeHead(status, { 'Content-Type': contentType, 'Content-Length': body.length });
  res.end(body);
}
