// What GET answers on a collection (RFC 4918 §9.4 leaves it to the server): a
// short text saying what it is. One function, so the body GET sends and the
// DAV:getcontentlength a PROPFIND reports for it (RFC 4918 §15.4: on any
// resource that answers GET with a body) never disagree.
export const COLLECTION_CONTENT_TYPE = "text/plain; charset=utf-8";

export const collectionText = (href: string, kind: string): string => `${href}: a CalDAV ${kind} collection. Use a CalDAV client to open it.\n`;

const utf8 = new TextEncoder();

/** Octets of collectionText(href, kind). */
export const collectionLength = (href: string, kind: string): number => utf8.encode(collectionText(href, kind)).byteLength;
