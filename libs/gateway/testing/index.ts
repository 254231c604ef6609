// The gateway's test scaffolding for specs and tools; production code never imports this entry point.
export { FakeControlPlane } from './fake-control-plane';
export { startModelStack, type ModelStack } from './model-stack';
