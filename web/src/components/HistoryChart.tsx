// Run durations and test results of one entity across dbt invocations,
// drawn with uPlot (a small canvas charting library).
import uPlot from "uplot";
import "uplot/dist/uPlot.min.css";
import { useEffect, useRef } from "preact/hooks";
import type { NodeRun, TestSummary } from "../types";

export interface InvocationPoint {
  invocationId: string;
  time: number | null; // seconds since the epoch of its earliest timed result
  duration: number | null; // the node's own run, seconds
  pass: number;
  warn: number;
  fail: number; // fail + error
}

function secondsOf(run: NodeRun): number | null {
  const text = run.completed_at || run.started_at;
  if (!text) return null;
  const millis = Date.parse(text);
  return Number.isNaN(millis) ? null : millis / 1000;
}

// One point per invocation that ran the node or any of its tests, oldest
// first. A skipped run has no times, so an invocation is placed by the
// earliest timed result of any of its runs; one with none at all goes last
// (in dbt that is the newest build, where a failure skipped the rest).
export function invocationPoints(runs: NodeRun[], tests: TestSummary[]): InvocationPoint[] {
  const points = new Map<string, InvocationPoint>();
  const point = (run: NodeRun): InvocationPoint => {
    let found = points.get(run.invocation_id);
    if (!found) {
      found = { invocationId: run.invocation_id, time: null, duration: null, pass: 0, warn: 0, fail: 0 };
      points.set(run.invocation_id, found);
    }
    const time = secondsOf(run);
    if (time !== null) found.time = found.time === null ? time : Math.min(found.time, time);
    return found;
  };
  for (const run of runs) point(run).duration = run.execution_seconds;
  for (const test of tests) {
    for (const run of test.history) {
      const found = point(run);
      if (run.status === "pass" || run.status === "success") found.pass++;
      else if (run.status === "warn") found.warn++;
      else if (run.status === "fail" || run.status === "error") found.fail++;
    }
  }
  const order = (p: InvocationPoint) => p.time ?? Number.POSITIVE_INFINITY;
  return [...points.values()].sort((a, b) => order(a) - order(b));
}

function label(point: InvocationPoint): string {
  if (point.time === null) return "—";
  return new Date(point.time * 1000).toISOString().slice(0, 16).replace("T", " ");
}

export function HistoryChart({ points }: { points: InvocationPoint[] }) {
  const box = useRef<HTMLDivElement>(null);
  useEffect(() => {
    const element = box.current;
    if (!element || points.length === 0) return undefined;
    const bars = uPlot.paths.bars!({ size: [0.5, 24] });
    // Invocations evenly spaced, labelled with their time: builds are not
    // evenly spaced in time, and skipped ones have none.
    const data: uPlot.AlignedData = [
      points.map((_, index) => index),
      points.map((p) => p.duration),
      points.map((p) => p.pass),
      points.map((p) => p.warn),
      points.map((p) => p.fail),
    ];
    const chart = new uPlot(
      {
        width: Math.max(320, element.clientWidth),
        height: 220,
        series: [
          { label: "Invocation", value: (_u, index) => (points[index] ? label(points[index]!) : "—") },
          { label: "Run duration (s)", stroke: "#3056d3", width: 2, scale: "s", points: { size: 7 } },
          { label: "Tests passed", stroke: "#2f8f46", fill: "rgba(47,143,70,0.35)", paths: bars, scale: "n" },
          { label: "Tests warned", stroke: "#c98a04", fill: "rgba(201,138,4,0.45)", paths: bars, scale: "n" },
          { label: "Tests failed", stroke: "#c62f2f", fill: "rgba(198,47,47,0.55)", paths: bars, scale: "n" },
        ],
        scales: {
          x: { time: false, range: () => [-0.5, points.length - 0.5] },
          n: { range: (_u, _min, max) => [0, Math.max(1, max)] },
        },
        axes: [
          {
            label: "invocation",
            splits: () => points.map((_, index) => index),
            values: (_u, splits) => splits.map((index) => (points[index] ? label(points[index]!) : "")),
          },
          { scale: "s", label: "seconds" },
          { scale: "n", side: 1, label: "tests", grid: { show: false } },
        ],
      },
      data,
      element,
    );
    return () => chart.destroy();
  }, [points]);
  if (points.length === 0) return <p class="muted">No runs recorded yet.</p>;
  return <div class="history-chart" ref={box} data-points={points.length} />;
}
