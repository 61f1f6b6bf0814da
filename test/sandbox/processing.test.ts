import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { EICAR, uniformDuration, type Sandbox } from '../../infra/local/sandbox/index.ts';
import {
  call,
  gifBytes,
  jpegBytes,
  oleBytes,
  pdfBytes,
  pngBytes,
  startTestSandbox,
  startSandboxWithRealClock,
  statusOf,
  uploadOk,
  waitFor,
  zipBytes,
} from './helpers.ts';

describe('asynchronous processing after the 202 (frozen clock)', () => {
  let sandbox: Sandbox;
  beforeAll(async () => {
    sandbox = await startTestSandbox({ processing: { processingMs: 1000, uploadedMs: 2000 } });
  });
  beforeEach(() => sandbox.reset());
  afterAll(async () => sandbox.close());

  it('moves a clean file Processing → Uploaded → Active at the configured times', async () => {
    // Prepare
    const id = await uploadOk(sandbox, pngBytes());

    // Act + Assess, stage by stage
    expect(await statusOf(sandbox, id)).toBe('Processing');
    sandbox.advanceClock(999);
    expect(await statusOf(sandbox, id)).toBe('Processing');
    sandbox.advanceClock(1);
    expect(await statusOf(sandbox, id)).toBe('Uploaded');
    sandbox.advanceClock(1999);
    expect(await statusOf(sandbox, id)).toBe('Uploaded');
    sandbox.advanceClock(1);
    expect(await statusOf(sandbox, id)).toBe('Active');
  });

  it('answers the documented status shape, in the order asked, leaving unknown ids out', async () => {
    const first = await uploadOk(sandbox, pngBytes());
    const second = await uploadOk(sandbox, pngBytes(), { file_name: 'second.png' });
    sandbox.advanceClock(3000);

    const result = await call(sandbox, `/library/files/uploadstatus/${second},999999,${first}`);

    expect(result.status).toBe(200);
    expect(result.json).toEqual([
      { file_id: second, status: 'Active', description: 'Active' },
      { file_id: first, status: 'Active', description: 'Active' },
    ]);
  });

  it('answers an empty array when no id matches', async () => {
    const result = await call(sandbox, '/library/files/uploadstatus/424242,434343');

    expect(result.json).toEqual([]);
  });

  it('sends file_id as a number under the Java-fixture quirk', async () => {
    sandbox.setQuirks({ numericStatusFileIds: true });
    const id = await uploadOk(sandbox, pngBytes());

    const result = await call(sandbox, `/library/files/uploadstatus/${id}`);
    sandbox.setQuirks({ numericStatusFileIds: false });

    expect(result.json).toEqual([{ file_id: Number(id), status: 'Processing', description: 'Processing' }]);
  });

  it('ends in VirusFound when the bytes contain the EICAR test string, after Processing', async () => {
    // Prepare: EICAR embedded in an otherwise valid PNG
    const infected = Buffer.concat([pngBytes(), EICAR]);

    // Act
    const id = await uploadOk(sandbox, infected);
    const during = await statusOf(sandbox, id);
    sandbox.advanceClock(1000);

    // Assess
    expect(during).toBe('Processing');
    expect(await statusOf(sandbox, id)).toBe('VirusFound');
    sandbox.advanceClock(10_000);
    expect(await statusOf(sandbox, id)).toBe('VirusFound');
  });

  it('finds EICAR deep inside a large body', async () => {
    const infected = Buffer.concat([
      Buffer.from('%PDF-1.4\n'),
      Buffer.alloc(200_000, 0x20),
      EICAR,
      Buffer.alloc(1000, 0x20),
    ]);

    const id = await uploadOk(sandbox, infected, { file_name: 'menu.pdf', file_type: 'PDF' });
    sandbox.advanceClock(1000);

    expect(await statusOf(sandbox, id)).toBe('VirusFound');
  });

  it('ends in Failed when a JPEG file_type carries PNG bytes', async () => {
    const id = await uploadOk(sandbox, pngBytes(), { file_name: 'photo.jpg', file_type: 'JPEG' });
    sandbox.advanceClock(1000);

    expect(await statusOf(sandbox, id)).toBe('Failed');
  });

  it.each([
    ['JPG', jpegBytes()],
    ['JPEG', jpegBytes()],
    ['GIF', gifBytes()],
    ['PNG', pngBytes()],
    ['PDF', pdfBytes()],
    ['DOCX', zipBytes()],
    ['XLSX', zipBytes()],
    ['PPTX', zipBytes()],
    ['DOC', oleBytes()],
    ['XLS', oleBytes()],
    ['PPT', oleBytes()],
  ])('accepts %s bytes that match their file_type', async (fileType, bytes) => {
    const id = await uploadOk(sandbox, bytes, { file_name: `file.${fileType.toLowerCase()}`, file_type: fileType });
    sandbox.advanceClock(3000);

    expect(await statusOf(sandbox, id)).toBe('Active');
  });

  it.each([
    ['DOC', zipBytes()],
    ['DOCX', oleBytes()],
    ['PDF', pngBytes()],
    ['GIF', jpegBytes()],
  ])('fails %s when the bytes are another format', async (fileType, bytes) => {
    const id = await uploadOk(sandbox, bytes, { file_name: `file.${fileType.toLowerCase()}`, file_type: fileType });
    sandbox.advanceClock(1000);

    expect(await statusOf(sandbox, id)).toBe('Failed');
  });

  it('reads image dimensions from PNG, JPEG and GIF headers, and gives documents 0x0', async () => {
    const png = await uploadOk(sandbox, pngBytes(31, 17));
    const jpeg = await uploadOk(sandbox, jpegBytes(792, 612), { file_name: 'a.jpg', file_type: 'JPG' });
    const gif = await uploadOk(sandbox, gifBytes(12, 34), { file_name: 'a.gif', file_type: 'GIF' });
    const pdf = await uploadOk(sandbox, pdfBytes(), { file_name: 'a.pdf', file_type: 'PDF' });

    const record = async (id: string): Promise<Record<string, unknown>> =>
      (await call(sandbox, `/library/files/${id}`)).json as Record<string, unknown>;

    expect(await record(png)).toMatchObject({ width: 31, height: 17, is_image: true });
    expect(await record(jpeg)).toMatchObject({ width: 792, height: 612, thumbnail: { width: 200, height: 154 } });
    expect(await record(gif)).toMatchObject({ width: 12, height: 34 });
    expect(await record(pdf)).toMatchObject({ width: 0, height: 0, is_image: false });
  });

  it('takes per-file processing times from a function, for new uploads only', async () => {
    // Prepare: the first file keeps the 1000 ms schedule
    const before = await uploadOk(sandbox, pngBytes());
    sandbox.setProcessing({ processingMs: (file) => (file.name.startsWith('slow') ? 50_000 : 10), uploadedMs: 0 });

    // Act
    const fast = await uploadOk(sandbox, pngBytes(), { file_name: 'fast.png' });
    const slow = await uploadOk(sandbox, pngBytes(), { file_name: 'slow.png' });
    sandbox.advanceClock(10);

    // Assess
    expect(await statusOf(sandbox, fast)).toBe('Active');
    expect(await statusOf(sandbox, slow)).toBe('Processing');
    expect(await statusOf(sandbox, before)).toBe('Processing');
    sandbox.advanceClock(50_000);
    expect(await statusOf(sandbox, slow)).toBe('Active');
    sandbox.setProcessing({ processingMs: 1000, uploadedMs: 2000 });
  });
});

describe('asynchronous processing with the real clock', () => {
  let sandbox: Sandbox;
  beforeAll(async () => {
    sandbox = await startSandboxWithRealClock({ processing: { processingMs: 50, uploadedMs: 50 } });
  });
  afterAll(async () => sandbox.close());

  it('reaches Active on its own with the default short timings', async () => {
    const id = await uploadOk(sandbox, pngBytes());

    await waitFor(async () => (await statusOf(sandbox, id)) === 'Active');

    expect(sandbox.files()[0]?.status).toBe('Active');
  });
});

describe('uniformDuration', () => {
  it('spreads durations over the range, the same way for the same seed', () => {
    const subject = (sequence: number) => ({
      id: String(sequence),
      name: 'f',
      fileType: 'PNG',
      size: 1,
      sha256: '',
      sequence,
    });

    const first = Array.from({ length: 50 }, (_, sequence) => uniformDuration(2000, 60_000, 9)(subject(sequence)));
    const again = Array.from({ length: 50 }, (_, sequence) => uniformDuration(2000, 60_000, 9)(subject(sequence)));

    expect(again).toEqual(first);
    expect(Math.min(...first)).toBeGreaterThanOrEqual(2000);
    expect(Math.max(...first)).toBeLessThanOrEqual(60_000);
    expect(Math.max(...first) - Math.min(...first)).toBeGreaterThan(30_000);
  });
});
