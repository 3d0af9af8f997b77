import { operation } from '../operation.js';
import * as S from '../schemas.js';

/* The public documents: the service's JWKS (routes/well-known.ts) and this document (routes/openapi.ts). */

export const getServiceJwks = operation({
  method: 'get',
  path: '/.well-known/jwks.json',
  operationId: 'getServiceJwks',
  tags: ["public"],
  summary: "The service's public signing keys",
  description: "DSK verifies the JWT on every event delivery (`dskEvent` webhook) with these keys, selected by the token's `kid`. During a key rotation the previous keys stay listed until tokens signed with them have expired. Cache it for at most 5 minutes, and refetch on an unknown `kid`.",
  auth: 'none',
  responses: {
    200: { kind: 'json', description: "A JSON Web Key Set with public keys only.", schema: S.Jwks, examples: {
      "es256": {
        "keys": [
          {
            "kty": "EC",
            "crv": "P-256",
            "x": "5h1tWyegPk1XRUWSyrEcuepu9Yhqt5iCqhV6a88p4Bw",
            "y": "tA9QF7ANWCxyOfFNFK0KHdKM6WxFAr2agquhWk2yznQ",
            "kid": "service-2026-07",
            "alg": "ES256",
            "use": "sig"
          }
        ]
      }
    }, headers: {
      "Cache-Control": {
        "schema": {
          "type": "string",
          "const": "public, max-age=300"
        }
      }
    } },
  },
});

export const getOpenApiDocument = operation({
  method: 'get',
  path: '/openapi.json',
  operationId: 'getOpenApiDocument',
  tags: ["public"],
  summary: "This document",
  description: "Served with an `ETag`; a matching `If-None-Match` answers `304`.",
  auth: 'none',
  responses: {
    200: { kind: 'raw', description: "The OpenAPI 3.1 document.", content: {
      "application/json": {
        "schema": {
          "type": "object",
          "required": [
            "openapi",
            "info",
            "paths"
          ]
        }
      }
    }, headers: {
      "Cache-Control": {
        "schema": {
          "type": "string",
          "const": "public, max-age=300"
        }
      },
      "ETag": {
        "schema": {
          "type": "string"
        }
      }
    } },
    304: { kind: 'raw', description: "Not modified (the `If-None-Match` matched the `ETag`)." },
  },
});
