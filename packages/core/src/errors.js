export { InvalidArgumentError, InvalidStateError, NotFoundError, TfError } from '@tf/transport';
//# sourceMappingURL=errors.js.map