// Loaded (not deferred) at the top of <body>: marks the page as scripted before it is painted, as NHS.UK frontend
// expects. A file rather than an inline script, so the Content-Security-Policy can forbid inline scripts.
document.body.className += " js-enabled" + ("noModule" in HTMLScriptElement.prototype ? " nhsuk-frontend-supported" : "");
