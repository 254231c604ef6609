export { testServices, uniqueName, freshDatabase, type TestServices, type FreshDatabase } from './test-services';
