/**
 * The OpenAPI 3.1 description of the API, generated from the same route table that serves
 * it, so the document cannot drift from the code: parameters and bodies come from the zod
 * schemas, the roles allowed are listed per operation (`x-roles`).
 */
import { z } from 'zod';
import type { ApiRoute } from './route.js';

type Json = Record<string, unknown>;

const schemaOf = (s: z.ZodType): Json => z.toJSONSchema(s, { io: 'input', unrepresentable: 'any' }) as Json;

function parameters(where: 'path' | 'query', s: z.ZodType | undefined): Json[] {
  if (!s) return [];
  const js = schemaOf(s);
  const props = (js.properties ?? {}) as Record<string, Json>;
  const required = new Set((js.required ?? []) as string[]);
  return Object.entries(props).map(([name, schema]) => {
    const { description, ...rest } = schema;
    return { name, in: where, required: where === 'path' || required.has(name), schema: rest, ...(description ? { description } : {}) };
  });
}

const errorBody: Json = {
  type: 'object',
  required: ['error'],
  properties: {
    error: {
      type: 'object',
      required: ['code', 'message'],
      properties: { code: { type: 'string' }, message: { type: 'string' }, details: { type: 'object' } },
    },
  },
};

const errorRef = (description: string): Json => ({ description, content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } } });

function operation(r: ApiRoute): Json {
  const requestBody = r.body
    ? r.bodyType === 'csv'
      ? { required: true, content: { 'text/csv': { schema: { type: 'string' } } } }
      : { required: true, content: { 'application/json': { schema: schemaOf(r.body) } } }
    : undefined;
  return {
    operationId: `${r.method.toLowerCase()}${r.path.replace(/\{(\w+)\}/g, 'By-$1').split(/[/-]/).map((w) => (w ? w[0]?.toUpperCase() + w.slice(1) : '')).join('')}`,
    summary: r.summary,
    tags: [r.tag],
    'x-roles': [...r.roles],
    security: [{ bearer: [] }],
    parameters: [...parameters('path', r.params), ...parameters('query', r.query)],
    ...(requestBody ? { requestBody } : {}),
    responses: {
      [String(r.status)]: { description: 'success', content: { 'application/json': { schema: z.toJSONSchema(r.response, { io: 'output', unrepresentable: 'any' }) } } },
      '400': errorRef('invalid input'),
      '401': errorRef('missing or unknown API token'),
      '403': errorRef(`role not allowed (allowed: ${r.roles.join(', ')}) or not your account`),
      '404': errorRef('not found'),
      '409': errorRef('conflict'),
      ...(r.body ? { '413': errorRef('request body over the limit (1 MB JSON, 20 MB CSV)') } : {}),
    },
  };
}

export function openApiDocument(routes: readonly ApiRoute[]): Json {
  const paths: Record<string, Record<string, Json>> = {};
  for (const r of routes) (paths[r.path] ??= {})[r.method.toLowerCase()] = operation(r);
  return {
    openapi: '3.1.0',
    info: {
      title: 'casemail staff API',
      version: '1',
      description: 'Lists answer `{items, next}`; pass `next` back as `cursor` for the following page. Errors answer `{error: {code, message, details}}`.',
    },
    servers: [{ url: '/' }],
    paths,
    components: {
      securitySchemes: { bearer: { type: 'http', scheme: 'bearer', description: 'a per-user API token (casemail users token)' } },
      schemas: { Error: errorBody },
    },
  };
}
