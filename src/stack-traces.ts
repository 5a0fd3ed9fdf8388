/** Imported first by the entry point, so that even a failure while the bundle loads is mapped. */
import { mapStackTraces } from './source-maps.js'

mapStackTraces()
