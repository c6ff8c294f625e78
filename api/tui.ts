/** `asymflow/tui`: the terminal dashboard and formatting (loads ink and React, so it is not in the root entry). */
export { attachMonitor, type Monitor, type MonitorOptions } from '../tui/monitor.ts';
export type { LatestSample } from '../tui/dashboard/dashboard-store.ts';
export { formatDuration, formatValue } from '../tui/format.ts';
