export { InvalidArgumentError, InvalidStateError, NotFoundError, TfError } from '@tf/transport';
