import { defineConfig } from 'tsup';
import { commandPackageBuild } from '../../tsup.config.base';

export default defineConfig(commandPackageBuild());
