/** The bundle's entry point (GitHub's template layout): main.ts does nothing on import; this calls run(). */
import './stack-traces.js'
import { run } from './main.js'

await run()
