export { compilePromRegex } from './compile-prom-regex';
