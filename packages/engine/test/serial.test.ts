import { engineSemantics } from './semantics/suite';

engineSemantics({ name: 'serial', options: () => ({ engine: 'serial' }), concurrent: false });
