/** Signs an outgoing request (AMP / Loki behind IAM use SigV4); returns the request to send. */
export type RequestSigner = (request: Request) => Promise<Request>;
