export { LabApiError, LabClient, type LabControls, type LabTraceEntry, type LabTraceStream } from './lab-client.js';
