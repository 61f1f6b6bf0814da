/** Parses a recorded multipart body with busboy (what a real server does) for assertions. */
import { Readable } from 'node:stream';
import busboy from 'busboy';

export interface ParsedMultipart {
  fields: Record<string, string>;
  order: string[];
  files: { field: string; filename: string; mimeType: string; data: Buffer }[];
}

export function parseMultipart(contentType: string, body: Buffer): Promise<ParsedMultipart> {
  return new Promise((resolve, reject) => {
    const result: ParsedMultipart = { fields: {}, order: [], files: [] };
    const parser = busboy({ headers: { 'content-type': contentType }, defParamCharset: 'utf8' });
    parser.on('field', (name, value) => {
      result.fields[name] = value;
      result.order.push(name);
    });
    parser.on('file', (field, stream, info) => {
      result.order.push(field);
      const chunks: Buffer[] = [];
      stream.on('data', (chunk: Buffer) => chunks.push(chunk));
      stream.on('end', () =>
        result.files.push({
          field,
          filename: info.filename ?? '',
          mimeType: info.mimeType,
          data: Buffer.concat(chunks),
        }),
      );
    });
    parser.on('close', () => resolve(result));
    parser.on('error', reject);
    Readable.from([body]).pipe(parser);
  });
}
