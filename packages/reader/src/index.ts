export type * from './types.ts';
export { sniffFormat } from './decode/sniff.ts';
export { inspectDocument } from './decode/inspect.ts';
export { decodePages, DecodeError } from './decode/decodePages.ts';
export { WORKING_DPI, DEFAULT_LIMITS } from './decode/constants.ts';
export { templateFromOscarMap } from './template/fromOscarMap.ts';
export type { TemplateMeta } from './template/fromOscarMap.ts';
