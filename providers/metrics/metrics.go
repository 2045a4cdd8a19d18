// Package metrics exposes flarewarden's Prometheus metrics. It implements
// the observer interfaces that the controller and the Cloudflare adapter
// define (daemon.PassObserver, cloudflare.RequestObserver) and wraps
// the controller's Detector and Prober ports to count what they see. No
// label ever carries a token, an id or a URL path or query.
package metrics

import (
	"net/http"
	"strconv"
	"sync"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// Pass results, the values of the result label of flarewarden_passes_total.
const (
	ResultOK        = "ok"
	ResultError     = "error"
	ResultSoftError = "soft_error"
)

// Metrics holds flarewarden's collectors in a registry of its own (with the
// Go and process collectors). It is safe for concurrent use.
type Metrics struct {
	reg            *prometheus.Registry
	passes         *prometheus.CounterVec
	passDuration   prometheus.Histogram
	requests       *prometheus.CounterVec
	recordsChanged *prometheus.CounterVec
	answers        *prometheus.CounterVec
	quorumFailures *prometheus.CounterVec
	healthClass    *prometheus.GaugeVec
	uplinkUp       *prometheus.GaugeVec
	leader         prometheus.Gauge
	lastOK         prometheus.Gauge
	consecSoft     prometheus.Gauge

	mu   sync.Mutex
	soft int // consecutive soft errors
}

// New builds and registers every metric.
func New() *Metrics {
	m := &Metrics{reg: prometheus.NewRegistry()}
	m.passes = m.counterVec("flarewarden_passes_total", "Reconcile passes by result.", "result")
	m.passDuration = prometheus.NewHistogram(prometheus.HistogramOpts{Name: "flarewarden_pass_duration_seconds",
		Help: "Duration of reconcile passes.", Buckets: []float64{.05, .1, .25, .5, 1, 2.5, 5, 10, 30, 60, 120}})
	m.requests = m.counterVec("flarewarden_cloudflare_requests_total",
		"HTTP requests to the Cloudflare API (each attempt), by route template, method and status (0: no answer).",
		"endpoint", "method", "status")
	m.recordsChanged = m.counterVec("flarewarden_records_changed_total", "DNS record changes applied, by action.", "action")
	m.answers = m.counterVec("flarewarden_ip_source_answers_total",
		"Answers of public IP sources, by family, source and result (ok, rejected, error).", "family", "source", "result")
	m.quorumFailures = m.counterVec("flarewarden_detection_quorum_failures_total",
		"Detections of an enabled family that reached no quorum (the address is unknown).", "family")
	m.healthClass = prometheus.NewGaugeVec(prometheus.GaugeOpts{Name: "flarewarden_health_check_class",
		Help: "Current class of each health check: 1 for the current class, 0 for the others."}, []string{"check", "class"})
	m.uplinkUp = prometheus.NewGaugeVec(prometheus.GaugeOpts{Name: "flarewarden_uplink_up",
		Help: "1 when the last pass held the uplink up (its canary reaches the origin through the edge), else 0."}, []string{"uplink"})
	m.leader = m.gauge("flarewarden_leader", "1 when this replica runs the daemon (leader, or no leader election), else 0.")
	m.lastOK = m.gauge("flarewarden_last_successful_pass_timestamp_seconds", "Unix time of the last successful pass.")
	m.consecSoft = m.gauge("flarewarden_consecutive_soft_errors", "Passes in a row that failed with a soft error.")
	m.reg.MustRegister(m.passes, m.passDuration, m.requests, m.recordsChanged, m.answers, m.quorumFailures,
		m.healthClass, m.uplinkUp, m.leader, m.lastOK, m.consecSoft,
		collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	for _, r := range []string{ResultOK, ResultError, ResultSoftError} {
		m.passes.WithLabelValues(r)
	}
	return m
}

func (m *Metrics) counterVec(name, help string, labels ...string) *prometheus.CounterVec {
	return prometheus.NewCounterVec(prometheus.CounterOpts{Name: name, Help: help}, labels)
}

func (m *Metrics) gauge(name, help string) prometheus.Gauge {
	return prometheus.NewGauge(prometheus.GaugeOpts{Name: name, Help: help})
}

// Handler serves the registry in the Prometheus exposition format.
func (m *Metrics) Handler() http.Handler {
	return promhttp.HandlerFor(m.reg, promhttp.HandlerOpts{Registry: m.reg})
}

// ObserveRequest counts one HTTP attempt to the Cloudflare API
// (cloudflare.RequestObserver). endpoint must be a route template.
func (m *Metrics) ObserveRequest(endpoint, method string, status int) {
	m.requests.WithLabelValues(endpoint, method, strconv.Itoa(status)).Inc()
}

// SetLeader sets flarewarden_leader.
func (m *Metrics) SetLeader(isLeader bool) { m.leader.Set(boolValue(isLeader)) }

// boolValue is 1 for true, 0 for false.
func boolValue(b bool) float64 {
	if b {
		return 1
	}
	return 0
}
