export { main, BACKEND_ENV, type CliContext } from './cli';
export { flowsList } from './flows-list';
export { flowsShow } from './flows-show';
