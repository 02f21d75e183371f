// Names a parsed statement as Trino does: its AST class (io.trino.sql.tree) and its resource-group QueryType.

/** Trino's io.trino.spi.resourcegroups.QueryType, or '' where Trino assigns none. */
export type QueryType =
  | 'SELECT'
  | 'EXPLAIN'
  | 'DESCRIBE'
  | 'INSERT'
  | 'UPDATE'
  | 'DELETE'
  | 'MERGE'
  | 'ANALYZE'
  | 'DATA_DEFINITION'
  | 'ALTER_TABLE_EXECUTE'
  | '';

export interface StatementKind {
  /** The AST class name, as the reference gateway's getQueryType() reports it. */
  readonly statement: string;
  /** As Trino's StatementUtils.getQueryType(); EXPLAIN ANALYZE and EXECUTE IMMEDIATE take the inner one's. */
  readonly queryType: QueryType;
}

const DDL = 'DATA_DEFINITION';

/**
 * Grammar alternative (the parse-tree class without its `Context` suffix) → Trino's AST class and type.
 * Several alternatives build one AST class (COMMENT ON TABLE/VIEW/COLUMN are all `Comment`).
 */
const KINDS: Readonly<Record<string, readonly [string, QueryType]>> = {
  StatementDefault: ['Query', 'SELECT'],
  Explain: ['Explain', 'EXPLAIN'],
  ExplainAnalyze: ['ExplainAnalyze', ''], // the inner statement's type, filled in by the caller
  InsertInto: ['Insert', 'INSERT'],
  CreateTableAsSelect: ['CreateTableAsSelect', 'INSERT'],
  RefreshMaterializedView: ['RefreshMaterializedView', 'INSERT'],
  Update: ['Update', 'UPDATE'],
  Delete: ['Delete', 'DELETE'],
  Merge: ['Merge', 'MERGE'],
  Analyze: ['Analyze', 'ANALYZE'],
  TableExecute: ['TableExecute', 'ALTER_TABLE_EXECUTE'],

  ShowCatalogs: ['ShowCatalogs', 'DESCRIBE'],
  ShowSchemas: ['ShowSchemas', 'DESCRIBE'],
  ShowTables: ['ShowTables', 'DESCRIBE'],
  ShowColumns: ['ShowColumns', 'DESCRIBE'], // also DESCRIBE t / DESC t
  ShowCreateTable: ['ShowCreate', 'DESCRIBE'],
  ShowCreateSchema: ['ShowCreate', 'DESCRIBE'],
  ShowCreateView: ['ShowCreate', 'DESCRIBE'],
  ShowCreateMaterializedView: ['ShowCreate', 'DESCRIBE'],
  ShowCreateFunction: ['ShowCreate', 'DESCRIBE'],
  ShowFunctions: ['ShowFunctions', 'DESCRIBE'],
  ShowGrants: ['ShowGrants', 'DESCRIBE'],
  ShowRoles: ['ShowRoles', 'DESCRIBE'],
  ShowRoleGrants: ['ShowRoleGrants', 'DESCRIBE'],
  ShowSession: ['ShowSession', 'DESCRIBE'],
  ShowStats: ['ShowStats', 'DESCRIBE'],
  ShowStatsForQuery: ['ShowStats', 'DESCRIBE'],
  DescribeInput: ['DescribeInput', 'DESCRIBE'],
  DescribeOutput: ['DescribeOutput', 'DESCRIBE'],

  CreateCatalog: ['CreateCatalog', DDL],
  DropCatalog: ['DropCatalog', DDL],
  CreateSchema: ['CreateSchema', DDL],
  DropSchema: ['DropSchema', DDL],
  RenameSchema: ['RenameSchema', DDL],
  SetSchemaAuthorization: ['SetSchemaAuthorization', DDL],
  CreateTable: ['CreateTable', DDL],
  DropTable: ['DropTable', DDL],
  TruncateTable: ['TruncateTable', DDL],
  CommentTable: ['Comment', DDL],
  CommentView: ['Comment', DDL],
  CommentColumn: ['Comment', DDL],
  RenameTable: ['RenameTable', DDL],
  AddColumn: ['AddColumn', DDL],
  RenameColumn: ['RenameColumn', DDL],
  DropColumn: ['DropColumn', DDL],
  SetColumnType: ['SetColumnType', DDL],
  DropNotNullConstraint: ['DropNotNullConstraint', DDL],
  SetTableAuthorization: ['SetTableAuthorization', DDL],
  SetTableProperties: ['SetProperties', DDL],
  CreateMaterializedView: ['CreateMaterializedView', DDL],
  DropMaterializedView: ['DropMaterializedView', DDL],
  RenameMaterializedView: ['RenameMaterializedView', DDL],
  SetMaterializedViewProperties: ['SetProperties', DDL],
  CreateView: ['CreateView', DDL],
  DropView: ['DropView', DDL],
  RenameView: ['RenameView', DDL],
  SetViewAuthorization: ['SetViewAuthorization', DDL],
  CreateFunction: ['CreateFunction', DDL],
  DropFunction: ['DropFunction', DDL],
  Call: ['Call', DDL],
  CreateRole: ['CreateRole', DDL],
  DropRole: ['DropRole', DDL],
  GrantRoles: ['GrantRoles', DDL],
  RevokeRoles: ['RevokeRoles', DDL],
  SetRole: ['SetRole', DDL],
  GrantPrivileges: ['Grant', DDL],
  RevokePrivileges: ['Revoke', DDL],
  Deny: ['Deny', DDL],
  Use: ['Use', DDL],
  SetSession: ['SetSession', DDL],
  ResetSession: ['ResetSession', DDL],
  SetSessionAuthorization: ['SetSessionAuthorization', DDL],
  ResetSessionAuthorization: ['ResetSessionAuthorization', DDL],
  SetPath: ['SetPath', DDL],
  SetTimeZone: ['SetTimeZone', DDL],
  StartTransaction: ['StartTransaction', DDL],
  Commit: ['Commit', DDL],
  Rollback: ['Rollback', DDL],
  Prepare: ['Prepare', DDL],
  Deallocate: ['Deallocate', DDL],
  // The prepared statement's own type is what Trino uses; its text is not in this request.
  Execute: ['Execute', ''],
  // Analysed as the statement in its string literal, as the reference gateway does.
  ExecuteImmediate: ['ExecuteImmediate', ''],
};

/** The kind for a grammar alternative, or undefined for one Trino does not have (dt-sql-parser extensions). */
export function statementKind(alternative: string): StatementKind | undefined {
  const kind = Object.hasOwn(KINDS, alternative) ? KINDS[alternative] : undefined;
  return kind && { statement: kind[0], queryType: kind[1] };
}
