// Package web will serve the browser UI for clerks, prosecutors and chiefs (server-rendered
// html/template pages over the same services as the REST API). It is filled by the web UI issue;
// the foundation only fixes its place in the layering.
package web
