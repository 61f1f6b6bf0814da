import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { errorFromResponse, errorFromTransport, parseApiErrors } from '../../../shared/library/error-mapping.ts';
import type { ExchangeContext, TransportState } from '../../../shared/library/error-mapping.ts';
import {
  LibraryForbiddenError,
  LibraryNetworkError,
  LibraryNotFoundError,
  LibraryProtocolError,
  LibraryServerError,
  LibrarySourceError,
  LibraryThrottledError,
  LibraryTimeoutError,
  LibraryUnauthorizedError,
  LibraryValidationError,
} from '../../../shared/library/errors.ts';

const context: ExchangeContext = {
  operation: 'getFile',
  method: 'GET',
  url: 'http://127.0.0.1:1/v2/library/files/1?api_key=***',
  secrets: ['KEY-abc', 'TOKEN-xyz'],
};
const notStarted: TransportState = {
  requestStarted: false,
  requestSent: false,
  bodyBytesSent: 0,
  responseStarted: false,
};
const fullySent: TransportState = {
  requestStarted: true,
  requestSent: true,
  bodyBytesSent: 1000,
  responseStarted: false,
};
const partlySent: TransportState = {
  requestStarted: true,
  requestSent: false,
  bodyBytesSent: 10,
  responseStarted: false,
};

const body = (entries: { error_key: string; error_message: string }[]): string => JSON.stringify(entries);
const withCode = (message: string, code: string): Error => Object.assign(new Error(message), { code });

describe('parseApiErrors', () => {
  it('reads the documented array of error_key / error_message', () => {
    // Prepare
    const text = readFileSync(new URL('./fixtures/api-notes-error-400.json', import.meta.url), 'utf8');
    // Act
    const entries = parseApiErrors(text);
    // Assess
    expect(entries).toEqual([
      { errorKey: 'json.field.invalid', errorMessage: '#/file_type: Value is not one of the allowed values.' },
      { errorKey: 'json.max.length.violation', errorMessage: '#/description: Value exceeds maximum length of 100.' },
    ]);
  });

  it('tolerates a single object, an errors wrapper and a missing message', () => {
    expect(parseApiErrors('{"error_key":"a","error_message":"m"}')).toEqual([{ errorKey: 'a', errorMessage: 'm' }]);
    expect(parseApiErrors('{"errors":[{"error_key":"b"}]}')).toEqual([{ errorKey: 'b', errorMessage: '' }]);
  });

  it('returns nothing for HTML, plain text, empty or odd JSON bodies', () => {
    expect(parseApiErrors('<h1>Developer Inactive</h1>')).toEqual([]);
    expect(parseApiErrors('')).toEqual([]);
    expect(parseApiErrors('null')).toEqual([]);
    expect(parseApiErrors('[1, "x", {"error_key": 5}]')).toEqual([]);
  });
});

describe('errorFromResponse', () => {
  it('maps 400 to a validation error carrying the API entries', () => {
    // Act
    const error = errorFromResponse(
      context,
      400,
      body([{ error_key: 'json.field.invalid', error_message: 'bad type' }]),
    );
    // Assess
    expect(error).toBeInstanceOf(LibraryValidationError);
    expect(error.errorKey).toBe('json.field.invalid');
    expect(error.retryable).toBe(false);
    expect(error.mayHaveReachedServer).toBe(true);
    expect(error.message).toContain('HTTP 400');
    expect(error.message).toContain('bad type');
  });

  it('maps 400 with a non-JSON body to a validation error without entries', () => {
    // Act
    const error = errorFromResponse(context, 400, '<html>Bad Request</html>');
    // Assess
    expect(error).toBeInstanceOf(LibraryValidationError);
    expect(error.apiErrors).toEqual([]);
  });

  it('maps 401 to unauthorized (retryable: the file is fine)', () => {
    const error = errorFromResponse(
      context,
      401,
      body([{ error_key: 'http.status.unauthorized', error_message: 'no' }]),
    );
    expect(error).toBeInstanceOf(LibraryUnauthorizedError);
    expect(error.retryable).toBe(true);
  });

  it('maps 403 over.qps to a per-second throttle and over.ratelimit to a daily one', () => {
    // Act
    const perSecond = errorFromResponse(
      context,
      403,
      body([{ error_key: 'mashery.not.authorized.over.qps', error_message: 'Account Over Queries Per Second Limit' }]),
    );
    const perDay = errorFromResponse(
      context,
      403,
      body([{ error_key: 'mashery.not.authorized.over.ratelimit', error_message: 'Account Over Rate Limit' }]),
    );
    // Assess
    expect(perSecond).toBeInstanceOf(LibraryThrottledError);
    expect((perSecond as LibraryThrottledError).scope).toBe('second');
    expect(perDay).toBeInstanceOf(LibraryThrottledError);
    expect((perDay as LibraryThrottledError).scope).toBe('day');
  });

  it('recognises Mashery throttling from its header or plain-text body too', () => {
    const byHeader = errorFromResponse(context, 403, '<h1>Developer Over Qps</h1>', {
      'x-mashery-error-code': 'ERR_403_DEVELOPER_OVER_QPS',
    });
    const byText = errorFromResponse(context, 403, '<h1>Developer Over Rate</h1>');
    expect((byHeader as LibraryThrottledError).scope).toBe('second');
    expect((byText as LibraryThrottledError).scope).toBe('day');
  });

  it('maps any other 403 to forbidden (not retryable)', () => {
    // Act
    const error = errorFromResponse(
      context,
      403,
      body([{ error_key: 'http.status.forbidden', error_message: 'no privilege mylibrary:file:create' }]),
    );
    // Assess
    expect(error).toBeInstanceOf(LibraryForbiddenError);
    expect(error.retryable).toBe(false);
  });

  it('maps 404 to not found, 5xx to server errors, 406/415/other statuses to protocol errors', () => {
    expect(errorFromResponse(context, 404, '')).toBeInstanceOf(LibraryNotFoundError);
    expect(errorFromResponse(context, 500, '')).toBeInstanceOf(LibraryServerError);
    expect(errorFromResponse(context, 503, 'Service Unavailable')).toBeInstanceOf(LibraryServerError);
    expect(errorFromResponse(context, 406, '')).toBeInstanceOf(LibraryProtocolError);
    expect(errorFromResponse(context, 415, '')).toBeInstanceOf(LibraryProtocolError);
    expect(errorFromResponse(context, 302, '')).toBeInstanceOf(LibraryProtocolError);
    expect(errorFromResponse(context, 413, '')).toBeInstanceOf(LibraryProtocolError);
  });

  it('never repeats a secret echoed back in the error body', () => {
    // Act
    const error = errorFromResponse(
      context,
      400,
      body([{ error_key: 'json.field.invalid', error_message: 'api_key KEY-abc and Bearer TOKEN-xyz are odd' }]),
    );
    // Assess
    const everything = `${error.message} ${String(error)} ${JSON.stringify(error)}`;
    expect(everything).not.toContain('KEY-abc');
    expect(everything).not.toContain('TOKEN-xyz');
  });
});

describe('errorFromTransport', () => {
  it('says a refused connection cannot have reached the server', () => {
    // Act
    const error = errorFromTransport(context, withCode('connect ECONNREFUSED 127.0.0.1:1', 'ECONNREFUSED'), notStarted);
    // Assess
    expect(error).toBeInstanceOf(LibraryNetworkError);
    expect(error.mayHaveReachedServer).toBe(false);
    expect(error.retryable).toBe(true);
    expect(error.message).toContain('before the request was sent');
  });

  it('says a connect timeout cannot have reached the server', () => {
    const error = errorFromTransport(context, withCode('Connect Timeout Error', 'UND_ERR_CONNECT_TIMEOUT'), notStarted);
    expect(error).toBeInstanceOf(LibraryTimeoutError);
    expect(error.mayHaveReachedServer).toBe(false);
  });

  it('says a headers timeout after the whole request was sent may have reached the server', () => {
    const error = errorFromTransport(context, withCode('Headers Timeout Error', 'UND_ERR_HEADERS_TIMEOUT'), fullySent);
    expect(error).toBeInstanceOf(LibraryTimeoutError);
    expect(error.mayHaveReachedServer).toBe(true);
    expect(error.message).toContain('after the request was sent');
  });

  it('says a reset while the body was partly sent may have reached the server', () => {
    const error = errorFromTransport(context, withCode('other side closed', 'UND_ERR_SOCKET'), partlySent);
    expect(error).toBeInstanceOf(LibraryNetworkError);
    expect(error.mayHaveReachedServer).toBe(true);
    expect(error.message).toContain('10 body bytes written');
  });

  it('finds the code in the cause chain (undici wraps socket errors)', () => {
    // Prepare
    const wrapped = Object.assign(new Error('fetch failed', { cause: withCode('read ECONNRESET', 'ECONNRESET') }), {
      code: 'UND_ERR_SOCKET',
    });
    // Act
    const error = errorFromTransport(context, wrapped, fullySent);
    // Assess
    expect(error).toBeInstanceOf(LibraryNetworkError);
    expect(error.message).toContain('ECONNRESET');
  });

  it('blames the source stream when it failed, and says the API cannot have acted', () => {
    // Act
    const error = errorFromTransport(
      context,
      withCode('aborted', 'UND_ERR_ABORTED'),
      partlySent,
      new Error('data stream ended after 3 of the declared 10 bytes'),
    );
    // Assess
    expect(error).toBeInstanceOf(LibrarySourceError);
    expect(error.mayHaveReachedServer).toBe(false);
    expect(error.retryable).toBe(true);
    expect(error.message).toContain('3 of the declared 10 bytes');
  });

  it('keeps secrets out of the message, the cause chain and the serialisation', () => {
    // Prepare
    const leaky = Object.assign(
      new Error('socket for /v2/x?api_key=KEY-abc failed', { cause: new Error('Bearer TOKEN-xyz') }),
      { code: 'ECONNRESET' },
    );
    // Act
    const error = errorFromTransport(context, leaky, fullySent);
    // Assess
    const cause = error.cause as Error & { cause?: Error };
    const everything = [
      error.message,
      String(error),
      JSON.stringify(error),
      error.stack,
      cause.message,
      cause.stack,
      cause.cause?.message,
    ].join(' ');
    expect(everything).not.toContain('KEY-abc');
    expect(everything).not.toContain('TOKEN-xyz');
  });
});
