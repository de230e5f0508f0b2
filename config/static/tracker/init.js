// Starts the NHS.UK frontend components (header menu, error summary focus, ...) on every page.
import { initAll } from "../nhsuk-frontend/nhsuk-frontend.min.js";

initAll();
