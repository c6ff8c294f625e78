/** Crash-safe, append-only recordings of any record stream (docs/architecture.md §7). */
export { RecordingError, MAGIC } from './format.ts';
export { SCHEMA_VERSION, type HeaderInit, type RecordingHeader, type RecordingKind } from './header.ts';
export { flushOpenRecordings, RecordingWriter, type WriterOptions } from './writer.ts';
export { readRecording, repairRecording, type Recording, type RepairResult } from './reader.ts';
export { trimRecording } from './trim.ts';
