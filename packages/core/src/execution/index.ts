export { PreparedDocuments, type PreparedDocument } from './prepared-documents.ts';
export { PreparedApolloServer, type PreparedExecution, type SubgraphExecutor } from './prepared-server.ts';
export * as apolloAnswer from './apollo-answer.ts';
