using PerfSage.Model;
using ScottPlot;

namespace PerfSage.Cli.Rendering;

/// <summary>
/// The predicted-vs-true scatter of <c>perfsage eval --plot</c>: one panel per metric (units differ), both axes
/// logarithmic (values plotted as log10 with ticks labelled by the value), one colour per target, and the y = x line
/// a perfect model would sit on. Rendered headless with ScottPlot (SkiaSharp) to PNG. Kept in its own class so that
/// ScottPlot and SkiaSharp load only when a plot is asked for.
/// </summary>
internal static class EvalPlot
{
    /// <summary>Renders the plot and writes it to <paramref name="path"/> through <see cref="PerfSage.IO.OutputFile"/>
    /// (never onto a device or one of <paramref name="inputs"/>).</summary>
    public static void Write(string path, IReadOnlyList<EvaluatedLabel> points, string title, IEnumerable<string> inputs)
    {
        List<string> targets = points.Select(p => p.Head.Target).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToList();
        List<Metric> metrics = MetricNames.All.Where(m => points.Any(p => p.Head.Metric == m)).ToList();
        var palette = new ScottPlot.Palettes.Category10();

        var multiplot = new Multiplot();
        for (int panel = 0; panel < metrics.Count; panel++)
        {
            Metric metric = metrics[panel];
            (_, string label, string unit) = Array.Find(Commands.PredictCommand.MetricColumns, c => c.Metric == metric);
            // A new Multiplot starts with one empty plot: use it for the first panel.
            Plot plot = panel < multiplot.Count() ? multiplot.GetPlot(panel) : multiplot.AddPlot();
            double lo = double.MaxValue, hi = double.MinValue;
            for (int t = 0; t < targets.Count; t++)
            {
                EvaluatedLabel[] mine = points.Where(p => p.Head.Metric == metric && p.Head.Target == targets[t]).ToArray();
                if (mine.Length == 0)
                {
                    continue;
                }
                double[] xs = mine.Select(p => Math.Log10(p.Actual)).ToArray();
                double[] ys = mine.Select(p => Math.Log10(Math.Max(p.Predicted, double.Epsilon))).ToArray();
                var markers = plot.Add.Markers(xs, ys, MarkerShape.FilledCircle, 5, palette.GetColor(t));
                markers.LegendText = targets[t];
                lo = Math.Min(lo, Math.Min(xs.Min(), ys.Min()));
                hi = Math.Max(hi, Math.Max(xs.Max(), ys.Max()));
            }
            double pad = Math.Max(0.05, (hi - lo) * 0.05);
            var diagonal = plot.Add.Line(lo - pad, lo - pad, hi + pad, hi + pad);
            diagonal.Color = Colors.Black;
            diagonal.LinePattern = LinePattern.Dashed;
            diagonal.LegendText = "y = x";
            plot.Axes.Bottom.TickGenerator = LogTicks(lo - pad, hi + pad);
            plot.Axes.Left.TickGenerator = LogTicks(lo - pad, hi + pad);
            plot.Axes.SetLimitsX(lo - pad, hi + pad);
            plot.Axes.SetLimitsY(lo - pad, hi + pad);
            plot.XLabel($"true {label} [{unit}] (log scale)");
            plot.YLabel($"predicted {label} [{unit}] (log scale)");
            plot.Title($"{title}: {MetricNames.Name(metric)}");
            plot.ShowLegend(Alignment.UpperLeft);
        }
        int columns = Math.Min(2, Math.Max(1, metrics.Count));
        int rows = (metrics.Count + columns - 1) / columns;
        multiplot.Layout = new ScottPlot.MultiplotLayouts.Grid(Math.Max(1, rows), columns);
        using Image image = multiplot.Render(620 * columns, 520 * Math.Max(1, rows));
        PerfSage.IO.OutputFile.Write(path, image.GetImageBytes(ImageFormat.Png, 100), inputs, "--plot");
    }

    /// <summary>Ticks for an axis that shows log10 of the values: labelled at 1, 2 and 5 times each power of ten
    /// (only the powers of ten when the range spans more than three decades), unlabelled minor ticks at the other
    /// integer multiples.</summary>
    private static ScottPlot.TickGenerators.NumericManual LogTicks(double lo, double hi)
    {
        var ticks = new ScottPlot.TickGenerators.NumericManual();
        bool dense = hi - lo <= 3;
        for (int e = (int)Math.Floor(lo); e <= (int)Math.Ceiling(hi); e++)
        {
            for (int k = 1; k <= 9; k++)
            {
                double position = e + Math.Log10(k);
                if (position < lo || position > hi)
                {
                    continue;
                }
                if (k == 1 || (dense && k is 2 or 5))
                {
                    ticks.AddMajor(position, (k * Math.Pow(10, e)).ToString("G4", System.Globalization.CultureInfo.InvariantCulture));
                }
                else
                {
                    ticks.AddMinor(position);
                }
            }
        }
        return ticks;
    }
}
