// Package web serves the browser UI for clerks, prosecutors and chiefs: server-rendered
// html/template pages over the same services as the REST API, so a rule never lives in a template
// or in browser code. Every form works without JavaScript; a little JavaScript (static/app.js)
// shows upload progress and keeps a draft of what was typed. Sessions are HttpOnly, SameSite
// cookies holding the API's own tokens; every unsafe request passes a CSRF check. Vietnamese is the
// default language, English is switchable, dates are dd/mm/yyyy in Vietnam's time.
//
// The package knows services and domain types, never the API package nor a database.
package web
