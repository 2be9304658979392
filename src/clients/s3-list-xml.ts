import { AppError } from '../models/index.ts';
import { decodeXmlText } from './aws/sts-xml.ts';

/** One object of a ListObjectsV2 page. */
export interface S3ObjectSummary {
  key: string;
  /** As S3 sends it, quotes included; null when the element is absent. */
  etag: string | null;
  sizeBytes: number | null;
}

export interface ListObjectsPage {
  objects: S3ObjectSummary[];
  isTruncated: boolean;
  /** Present exactly when `isTruncated`: the page after this one is asked for with it. */
  nextContinuationToken: string | null;
}

interface XmlElement {
  name: string;
  inner: string;
}

class MalformedXml extends Error {}

const OPEN_TAG = /<([A-Za-z_][\w.-]*)(?:\s[^<>]*?)?(\/?)>/y;
const WHITESPACE = /\s*/y;
const ENTITY = /&(?:#x[0-9a-fA-F]{1,6}|#[0-9]{1,7}|amp|lt|gt|quot|apos);/y;

/**
 * The child elements of `text`, which must be nothing but elements and the whitespace between them. An element's
 * end is the first `</name>` after it opens: in the ListObjectsV2 schema no element contains one of its own name,
 * so this is exact for the shapes S3 sends, and a nesting it does not send fails the parse instead of guessing.
 * Indices, not slices, so a 1000-key page is read in one pass.
 */
function childElements(text: string): XmlElement[] {
  const children: XmlElement[] = [];
  let at = 0;
  for (;;) {
    WHITESPACE.lastIndex = at;
    WHITESPACE.test(text);
    at = WHITESPACE.lastIndex;
    if (at === text.length) return children;
    OPEN_TAG.lastIndex = at;
    const open = OPEN_TAG.exec(text);
    if (open === null) throw new MalformedXml(`expected an element at '${text.slice(at, at + 40)}'`);
    const [tag, name = '', selfClosing = ''] = open;
    const innerStart = at + tag.length;
    if (selfClosing === '/') {
      children.push({ name, inner: '' });
      at = innerStart;
      continue;
    }
    const close = text.indexOf(`</${name}>`, innerStart);
    if (close === -1) throw new MalformedXml(`<${name}> is not closed`);
    children.push({ name, inner: text.slice(innerStart, close) });
    at = close + name.length + 3;
  }
}

/**
 * Character data of a text-only element: no markup, every `&` a known entity, then decoded. Not trimmed: a key's
 * leading and trailing spaces are part of it.
 */
function textOf(element: XmlElement): string {
  const { inner } = element;
  if (inner.includes('<')) throw new MalformedXml(`<${element.name}> is not text-only`);
  for (let at = inner.indexOf('&'); at !== -1; at = inner.indexOf('&', at + 1)) {
    ENTITY.lastIndex = at;
    if (!ENTITY.test(inner)) throw new MalformedXml(`<${element.name}> has a bare '&'`);
  }
  return decodeXmlText(inner);
}

function only(children: readonly XmlElement[], name: string): XmlElement | null {
  const found = children.filter((child) => child.name === name);
  if (found.length > 1) throw new MalformedXml(`<${name}> appears ${found.length} times`);
  return found[0] ?? null;
}

function objectOf(contents: XmlElement): S3ObjectSummary {
  const children = childElements(contents.inner);
  const key = only(children, 'Key');
  if (key === null) throw new MalformedXml('<Contents> without <Key>');
  const etag = only(children, 'ETag');
  const size = only(children, 'Size');
  const sizeText = size === null ? null : textOf(size);
  if (sizeText !== null && !/^\d{1,16}$/.test(sizeText)) throw new MalformedXml(`<Size> '${sizeText}'`);
  return {
    key: textOf(key),
    etag: etag === null ? null : textOf(etag),
    sizeBytes: sizeText === null ? null : Number(sizeText),
  };
}

function parsePage(xml: string): ListObjectsPage {
  const body = xml.replace(/^\uFEFF?\s*(?:<\?xml[^>]*\?>)?\s*/, '');
  const [root, ...others] = childElements(body);
  if (root === undefined || others.length > 0 || root.name !== 'ListBucketResult') {
    throw new MalformedXml('the document is not one <ListBucketResult>');
  }
  const children = childElements(root.inner);
  const truncated = only(children, 'IsTruncated');
  const truncatedText = truncated === null ? 'false' : textOf(truncated).trim();
  if (truncatedText !== 'true' && truncatedText !== 'false') throw new MalformedXml(`<IsTruncated> '${truncatedText}'`);
  const isTruncated = truncatedText === 'true';
  const next = only(children, 'NextContinuationToken');
  const token = next === null ? null : textOf(next);
  // Without a token a truncated listing cannot go on, and stopping early would silently hide objects.
  if (isTruncated && (token === null || token === ''))
    throw new MalformedXml('truncated without NextContinuationToken');
  return {
    objects: children.filter((child) => child.name === 'Contents').map(objectOf),
    isTruncated,
    nextContinuationToken: isTruncated ? token : null,
  };
}

/**
 * Read one ListObjectsV2 response page. Not a general XML parser: it accepts exactly the document S3 documents (an
 * optional declaration, one `<ListBucketResult>`, text-only leaves), decodes the five predefined entities and numeric
 * character references, ignores elements it does not use, and rejects anything else rather than guess: a listing
 * read wrongly would make `kb sync --delete` remove the wrong objects.
 * @see https://docs.aws.amazon.com/AmazonS3/latest/API/API_ListObjectsV2.html
 * @throws AppError UPSTREAM_BAD_BODY for anything that is not such a document (garbage, truncated, ambiguous).
 */
export function parseListObjectsV2(input: { upstream: string; xml: string }): ListObjectsPage {
  try {
    return parsePage(input.xml);
  } catch (error) {
    if (!(error instanceof MalformedXml)) throw error;
    throw new AppError('UPSTREAM_BAD_BODY', `${input.upstream}: unexpected ListObjectsV2 response: ${error.message}`);
  }
}
