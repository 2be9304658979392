import { describe, expect, test } from 'bun:test';
import { type } from 'arktype';
import fc from 'fast-check';
import {
  jsonServiceError,
  parseServiceBody,
  s3ServiceError,
  serviceError,
} from '../../src/clients/aws-service-errors.ts';
import { passagesOf, RetrieveResponse } from '../../src/clients/bedrock-retrieve.ts';
import { encodeS3Key } from '../../src/clients/s3.ts';
import { IngestionJob, IngestionJobList, isAppError } from '../../src/models/index.ts';

/** Every parser of outside data (Retrieve, ingestion jobs, AWS JSON and S3 XML errors) under fast-check. */

const isoArb = fc
  .date({ min: new Date('2020-01-01'), max: new Date('2030-01-01'), noInvalidDate: true })
  .map((d) => d.toISOString());
const idArb = fc.stringMatching(/^[0-9a-zA-Z]{10}$/);
const countArb = fc.nat({ max: 100_000 });

const jobArb = fc.record(
  {
    ingestionJobId: idArb,
    knowledgeBaseId: idArb,
    dataSourceId: idArb,
    status: fc.constantFrom('STARTING', 'IN_PROGRESS', 'COMPLETE', 'FAILED', 'STOPPING', 'STOPPED' as const),
    statistics: fc.record(
      { numberOfDocumentsScanned: countArb, numberOfNewDocumentsIndexed: countArb, numberOfDocumentsFailed: countArb },
      { requiredKeys: [] },
    ),
    startedAt: isoArb,
    updatedAt: isoArb,
    failureReasons: fc.array(fc.string(), { maxLength: 3 }),
  },
  { requiredKeys: ['ingestionJobId', 'knowledgeBaseId', 'dataSourceId', 'status', 'startedAt', 'updatedAt'] },
);

const resultArb = fc.record(
  {
    content: fc.record({ text: fc.string(), type: fc.constant('TEXT') }, { requiredKeys: ['text'] }),
    location: fc.oneof(
      fc.record({
        type: fc.constant('S3'),
        s3Location: fc.record({ uri: fc.webUrl().map((u) => u.replace(/^https?/, 's3')) }),
      }),
      fc.record({ type: fc.constant('WEB'), webLocation: fc.record({ url: fc.webUrl() }) }),
    ),
    score: fc.double({ min: 0, max: 1, noNaN: true }),
    metadata: fc.dictionary(fc.string(), fc.jsonValue()),
  },
  { requiredKeys: ['content'] },
);

describe('knowledge-base parsers', () => {
  test('property: generated ingestion jobs and lists pass their Types and survive a JSON round trip', () => {
    fc.assert(
      fc.property(fc.array(jobArb, { maxLength: 5 }), (jobs) => {
        for (const job of jobs) expect(IngestionJob(JSON.parse(JSON.stringify(job)))).toEqual(job);
        const list = { ingestionJobSummaries: jobs };
        expect(IngestionJobList(JSON.parse(JSON.stringify(list)))).toEqual(list);
      }),
    );
  });

  test('property: generated Retrieve responses parse; passages keep order, drop blank texts and name a source', () => {
    fc.assert(
      fc.property(fc.array(resultArb, { maxLength: 8 }), (results) => {
        const parsed = RetrieveResponse(JSON.parse(JSON.stringify({ retrievalResults: results })));
        if (parsed instanceof type.errors) throw new Error(parsed.summary);
        const passages = passagesOf(parsed);
        expect(passages.map((p) => p.text)).toEqual(results.map((r) => r.content.text).filter((t) => t.trim() !== ''));
        for (const passage of passages) expect(passage.source.length).toBeGreaterThan(0);
      }),
    );
  });

  test('property: any JSON text gives a parsed body or UPSTREAM_BAD_BODY, never another throw', () => {
    const texts = fc.oneof(
      fc.string(),
      fc.jsonValue().map((v) => JSON.stringify(v)),
      fc.constant('{"retrievalResults":[{}]}'),
    );
    fc.assert(
      fc.property(texts, fc.boolean(), (text, retrieve) => {
        try {
          if (retrieve) parseServiceBody({ upstream: 't', text, schema: RetrieveResponse });
          else parseServiceBody({ upstream: 't', text, schema: IngestionJobList });
        } catch (error) {
          expect(isAppError(error, 'UPSTREAM_BAD_BODY')).toBe(true);
        }
      }),
    );
  });

  test('property: arbitrary values give data or type.errors from every Type, never a throw', () => {
    fc.assert(
      fc.property(fc.anything(), (value) => {
        for (const schema of [RetrieveResponse, IngestionJob, IngestionJobList]) {
          const out = schema(value);
          expect(out instanceof type.errors || typeof out === 'object').toBe(true);
        }
      }),
    );
  });

  test('property: JSON error code comes from the header before its colon, else the body, else Unknown', () => {
    fc.assert(
      fc.property(fc.option(fc.stringMatching(/^[A-Za-z]{1,30}$/), { nil: undefined }), fc.string(), (header, body) => {
        const headers = new Headers(header === undefined ? {} : { 'x-amzn-ErrorType': `${header}:http://internal/` });
        const { code } = jsonServiceError(headers, body);
        if (header !== undefined) expect(code).toBe(header);
        else expect(typeof code).toBe('string');
      }),
    );
    expect(jsonServiceError(new Headers(), '{"__type":"com.amazon#ValidationException","message":"m"}')).toEqual({
      code: 'ValidationException',
      message: 'm',
    });
    expect(jsonServiceError(new Headers(), '<html>')).toEqual({ code: 'Unknown', message: '' });
  });

  test('property: S3 XML errors yield their Code and Message; anything else is Unknown without throwing', () => {
    const word = fc.stringMatching(/^[A-Za-z0-9 .]{0,40}$/);
    fc.assert(
      fc.property(word, word, (code, message) => {
        const xml = `<?xml version="1.0"?><Error><Code>${code}</Code><Message>${message}</Message></Error>`;
        expect(s3ServiceError(xml)).toEqual({ code: code || 'Unknown', message });
      }),
    );
    fc.assert(fc.property(fc.string(), (text) => expect(typeof s3ServiceError(text).code).toBe('string')));
  });

  test.each([
    [429, 'ThrottlingException', 'UPSTREAM_THROTTLED'],
    [503, 'SlowDown', 'UPSTREAM_THROTTLED'],
    [403, 'AccessDeniedException', 'AUTH_FAILED'],
    [409, 'ConflictException', 'UPSTREAM_QUERY_ERROR'],
    [404, 'ResourceNotFoundException', 'UPSTREAM_QUERY_ERROR'],
    [500, 'InternalServerException', 'UPSTREAM_STATUS'],
  ] as const)('HTTP %d %s maps to %s', (status, code, expected) => {
    expect(serviceError({ upstream: 'u', status, code, message: '', calls: ['kbRetrieve'] }).code).toBe(expected);
  });

  test('an AUTH_FAILED names the IAM actions of its calls; other errors do not', () => {
    const denied = serviceError({
      upstream: 'u',
      status: 403,
      code: 'AccessDenied',
      message: '',
      calls: ['kbRetrieve'],
    });
    expect(denied.message).toBe('u: HTTP 403 AccessDenied (the IAM role needs bedrock:Retrieve on the knowledge-base)');
    const throttled = serviceError({ upstream: 'u', status: 429, code: 'x', message: '', calls: ['kbRetrieve'] });
    expect(throttled.message).toBe('u: HTTP 429 x');
  });

  test('property: S3 keys are encoded once per segment and decode back', () => {
    fc.assert(
      fc.property(fc.array(fc.string({ minLength: 1 }), { minLength: 1, maxLength: 4 }), (segments) => {
        const key = segments.join('/');
        const encoded = encodeS3Key(key);
        expect(encoded).toMatch(/^[A-Za-z0-9\-._~%/]*$/);
        expect(encoded.split('/').map(decodeURIComponent).join('/')).toBe(key);
      }),
    );
  });
});
