// Package render prints what flarewarden's commands report, for people:
// detections with every source's answer, plans as tables, security
// levels, records, and each health check's verdict and diagnosis. JSON
// output is the same values encoded (JSON). Nothing here decides anything:
// every function prints what it is given.
package render
