/** `asymflow/recording`: crash-safe recordings of any stream, and the provenance written into them. */
export * from '../src/recording/index.ts';
export { buildInfo, type BuildInfo } from '../src/build-info.ts';
