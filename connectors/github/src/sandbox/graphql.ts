/**
 * GitHub's public GraphQL schema (@octokit/graphql-schema) executed with graphql-js: the connector's real queries
 * run against it, so a field, argument or fragment GitHub does not have fails validation instead of passing.
 */
import { schema as githubSchema } from '@octokit/graphql-schema';
import {
  buildClientSchema,
  type ExecutionResult,
  type GraphQLSchema,
  graphql,
  type IntrospectionQuery,
} from 'graphql';

let built: GraphQLSchema | undefined;

export function graphqlSchema(): GraphQLSchema {
  // The introspection result, not the SDL: the published SDL repeats two EnterpriseOwnerInfo fields, which
  // buildSchema rightly rejects; introspection is what GitHub's endpoint itself answers.
  built ??= buildClientSchema(githubSchema.json as unknown as IntrospectionQuery);
  return built;
}

export async function executeGraphql(
  source: string,
  variables: Record<string, unknown> | undefined,
  rootValue: unknown,
): Promise<ExecutionResult> {
  return graphql({ schema: graphqlSchema(), source, rootValue, variableValues: variables ?? {} });
}
