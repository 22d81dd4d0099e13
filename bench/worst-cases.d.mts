// Types for worst-cases.mjs, so the TypeScript tests can build the same requests.
export declare const CALLER_PATTERNS: number;
export declare const worstSettings: Record<string, string | boolean>;
export declare function worstGrants(): { users: Record<string, { roles: string[] }>; roles: Record<string, { permissions: { resource: { name: string; type: string }; action: string }[] }> };
export interface WorstCase {
  name: string;
  grants: ReturnType<typeof worstGrants>;
  settings: Record<string, string | boolean>;
  request(run: number): Record<string, unknown>;
}
export declare function worstCases(schema: unknown, maxBytes: number): WorstCase[];
