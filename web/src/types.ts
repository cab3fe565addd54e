// The shapes of Cairn's REST API (src/server/api/openapi.json) as the UI reads them.

export type Access = "none" | "read" | "ingest" | "admin";

export interface Session {
  token_id: number;
  name: string;
  access: Access;
  account_id: number;
}

// The worst latest result of an entity's tests; "none" when it has none.
export type TestStatus = "error" | "fail" | "warn" | "pass" | "none";

export interface SearchHit {
  fqn: string;
  name: string;
  resource_type: string;
  description: string;
  score: number;
  test_status?: TestStatus;
}

export interface FacetValue {
  value: string;
  count: number;
}

export type FacetName = "resource_type" | "schema" | "tag" | "owner" | "test_status";

export interface SearchPage {
  total: number;
  hits: SearchHit[];
  limit: number;
  offset: number;
  facets?: Partial<Record<FacetName, FacetValue[]>>;
}

export interface CatalogCounts {
  services: number;
  tables: number;
  columns: number;
  nodes: number;
  lineage_edges: number;
  invocations: number;
  runs: number;
}

export interface Column {
  name: string;
  ordinal: number;
  data_type: string | null;
  description: string;
  tags: string[];
  meta: unknown;
  constraints: unknown;
}

export interface Table {
  fqn: string;
  database: string;
  schema: string;
  name: string;
  table_type: string;
  description: string;
  tags: string[];
  owners: string[];
  stats: Record<string, unknown> | null;
  definition: string | null;
  deleted_at: string | null;
  columns: Column[];
}

export interface DbtNode {
  fqn: string;
  table_fqn: string | null;
  unique_id: string;
  resource_type: string;
  name: string;
  package_name: string;
  original_file_path: string;
  description: string;
  tags: string[];
  owners: string[];
  meta: unknown;
  materialized: string | null;
  language: string | null;
  raw_code: string | null;
  compiled_code: string | null;
  access: string | null;
  group: string | null;
  version: string | null;
  latest_version: string | null;
  contract_enforced: boolean;
  constraints: unknown;
  depends_on: string[];
  test?: { name: string; column: string | null; kwargs: unknown; severity: string | null };
  source?: { source_name: string; loader: string | null; freshness: unknown };
  exposure?: { label: string | null; type: string | null; url: string | null; maturity: string | null };
}

export interface NodeRun {
  invocation_id: string;
  unique_id: string;
  resource_type: string | null;
  status: string;
  execution_seconds: number;
  started_at: string | null;
  completed_at: string | null;
  message: string | null;
  failures: number | null;
  rows_affected: number | null;
  max_loaded_at?: string | null;
  age_seconds?: number | null;
}

export interface TestSummary {
  unique_id: string;
  fqn: string;
  name: string;
  test_name: string;
  column: string | null;
  latest_status: string | null;
  history: NodeRun[];
}

export interface Edit {
  target: string;
  field: string;
  value: unknown;
  ingested: unknown;
  edited_by: string;
  edited_at: string;
}

export interface Entity {
  kind: "table" | "dbt_node";
  service: string;
  table: Table | null;
  dbt: DbtNode | null;
  tests: TestSummary[];
  runs: NodeRun[];
  edits: Edit[];
}

export interface LineageNode {
  fqn: string;
  name: string;
  resource_type: string;
  distance: number; // negative upstream, positive downstream
  test_status?: TestStatus;
}

export interface LineageEdge {
  upstream: string;
  downstream: string;
  upstream_column: string | null;
  downstream_column: string | null;
}

export interface LineageGraph {
  root: string;
  nodes: LineageNode[];
  edges: LineageEdge[];
}

// settings.bucket of a bucket integration (docs/integrations.md). The API
// never returns secret_access_key, only whether it is set.
export interface BucketSettings {
  provider: "s3" | "gcs";
  auth?: "access_key" | "assume_role" | "hmac";
  bucket: string;
  prefix?: string;
  region?: string;
  endpoint?: string;
  access_key_id?: string;
  secret_access_key?: string;
  secret_access_key_set?: boolean;
  role_arn?: string;
  external_id?: string;
  sts_endpoint?: string;
  sync_interval_minutes?: number;
}

export interface DbtCloudSyncSettings {
  credentials: string;
  job_ids: number[];
  project_id?: number;
  sync_interval_minutes?: number;
}

export interface IntegrationSettings {
  service?: string;
  include_tags?: boolean;
  bucket?: BucketSettings;
  dbt_cloud?: DbtCloudSyncSettings;
}

export interface Integration {
  id: string;
  name: string;
  type: string;
  settings: IntegrationSettings;
  created_at: string;
  updated_at: string;
}

export interface RunLogLine {
  time: string;
  level: string;
  message: string;
}

export interface ExtractionRun {
  id: number;
  integration_id: string;
  trigger: string;
  status: "queued" | "running" | "succeeded" | "failed" | string;
  created_at: string;
  started_at: string | null;
  finished_at: string | null;
  counts: Record<string, unknown>;
  error: string | null;
  url: string;
  log?: RunLogLine[];
}

// An artifact an upload integration holds (file, modified, staged) or one a
// bucket test listed (key, etag, last_modified).
export interface HeldArtifact {
  kind: string;
  bytes: number;
  file?: string;
  modified?: string;
  staged?: boolean;
  key?: string;
  etag?: string;
  last_modified?: string;
}

export interface ConnectionTest {
  ok: boolean;
  message: string;
  artifacts?: HeldArtifact[];
  where?: string;
  directory?: string;
  objects_listed?: number;
  warnings?: string[];
}

export interface PermissionGrant {
  id: number;
  permission_set: string;
  project_id: number | null;
}

export interface ServiceToken {
  id: number;
  uid: string;
  name: string;
  account_id: number;
  state: 1 | 2;
  created_at: string;
  updated_at: string;
  last_used: string | null;
  expires_at: string | null;
  permission_grants: PermissionGrant[];
  token_string?: string;
}

// A credential block as the API answers it: the key masked ("****wxyz").
export interface CredentialBlock {
  name: string;
  type: "dbt-cloud";
  account_id: string;
  domain: string;
  access_url: string;
  discovery_url: string;
  api_key: string;
  created_at: string;
  updated_at: string;
}
