// The post step's entry (action.yml runs.post): only calls run(), so post.ts can be imported without running.
import { run } from './post.ts';

run();
