// Package report renders what people and CI systems read from a run
// directory (an engine/results.Dir): stats.csv, history.csv and
// failures.csv (exactly Locust's --csv columns), junit.xml (the strict Ant
// JUnit schema) (one test case per threshold) and report.html
// (one self-contained page, charts and transcripts, that works offline;
// its script and styles, assets/, are shared with the live dashboard; its
// charts are drawn by uPlot, vendored in assets/vendor/uplot and inlined).
// Render rebuilds them from a run directory alone, so a report can be
// redone after an upgrade.
//
// It owns those renderings and nothing else. It reads and writes
// only through engine/results (which owns the directory, its file formats
// and atomic writes); it does not compute figures (engine/metrics), judge
// thresholds or compare runs (engine/verdict), or run anything. It must not
// import engine/run, engine/dashboard or cmd/voyplan.
package report
