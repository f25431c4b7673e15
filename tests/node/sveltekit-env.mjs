// `node --import <this file>`: SvelteKit's server-side virtual modules and aliases (sveltekit-resolve.mjs).
import { register } from 'node:module';

register('./sveltekit-resolve.mjs', import.meta.url);
