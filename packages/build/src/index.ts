export { buildAll, type BuildAllOptions } from './build-all.ts';
export { buildEntries, isFresh, outputOf, readBuildRecord, type BuildRecord, type BuiltEntry, type BundledPackage, type EntryToBuild } from './bundle.ts';
export { buildablePackages, REPO_ROOT, workspacePackages, type BuildSpec, type WorkspacePackage } from './workspace.ts';
export { assembleTree, assembleTrees, runtimeImages, RUNTIME_NODE_RANGE, type AssembledTree, type RuntimeImage } from './assemble.ts';
