import { engineSemantics } from './semantics/suite';

engineSemantics({ name: 'parallel', options: () => ({ engine: 'parallel', maxWorkers: 4 }), concurrent: true });
