// The whole-platform harness of the write-path specs and tools; production code never imports this entry point.
export * from './write-path-harness';
export { startAlertmanager, push, eventually } from './ruler-harness';
export { startTcpProxy, type TcpProxy } from './tcp-proxy';
