// Test doubles of the bus for specs and tools; production code never imports this entry point.
export { fakeBus } from './fake-bus';
export { prefixedBus } from './prefixed-bus';
