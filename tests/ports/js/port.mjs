// The sample JavaScript port: the protocol shell over the sample backend.
//   node tests/ports/js/port.mjs      (python -m atomik.conformance.port -- node port.mjs)
import { backend } from "./backend.mjs";
import { serve } from "./shell.mjs";

serve(backend);
