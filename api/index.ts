/**
 * asymflow's public API (the package root): tasks, flows, operators, policies, recording and metrics.
 * The same names are grouped under the subpaths `asymflow/tasks`, `/flows`, `/operators`, `/policies`,
 * `/recording`, `/metrics`; the dashboard is `asymflow/tui` only (it loads ink and React).
 */
export * from './tasks.ts';
export * from './operators.ts';
export * from './flows.ts';
export * from './policies.ts';
export * from './recording.ts';
export * from './metrics.ts';
