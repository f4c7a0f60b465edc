export * from './id-number.ts';
export * from './credit-code.ts';
export * from './places.ts';
export * from './resident-key.ts';
export * from './hub-keyer.ts';
export * from './mask.ts';
export * from './keys.ts';
export * from './redact.ts';
